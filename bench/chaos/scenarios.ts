/**
 * The fault of each scenario. Every fault waits until sagas are in flight (observed in the store,
 * not assumed from a clock), injects itself, and says when it ended (for the recovery time) and
 * how long the component was out, if it was.
 */
import type { Kafka } from 'kafkajs';
import ms from 'ms';
import type { RedisClient, SagaStore, StoreKeys } from '../../orchestrator/store/index.js';
import { DEFAULT_CONSUMER_TIMINGS } from '../../wire/kafka/index.js';
import { deterministicFraction } from '../../participants/examples/index.js';
import type { PlannedOrder } from '../../test/e2e/support/order-run.js';
import type { ChaosInfra } from './chaos-infra.js';
import { PARTICIPANTS, type Cluster } from './cluster.js';
import { CLUSTER_FAILOVER } from './cluster-failover.js';
import { startDuplicator } from './duplicator.js';
import { revertAfterCommand } from './lost-second.js';
import { pause, type Monitor, type Starter } from './load.js';

/** How hard and how long each fault hits (the CLI's defaults; the test's are smaller). */
export interface FaultTiming {
  /** orchestrator-sigkill: kills, and the time from one kill to the next. */
  orchestratorKills: number;
  killEveryMs: number;
  /** participant-sigkill: time from one participant's kill to the next's. */
  participantKillGapMs: number;
  /** kafka-restart: how long the broker stays dead before it is started again. */
  kafkaDownMs: number;
  /** redis-restart: how long the store's Redis stays dead. */
  redisDownMs: number;
  /** redis-lost-second: share of the sagas reverted (at least 3). */
  revertShare: number;
  /** duplicate-reorder: share of messages copied, and the longest hold of a delayed copy. */
  duplicateShare: number;
  duplicateMaxDelayMs: number;
}

export const DEFAULT_TIMING: FaultTiming = {
  orchestratorKills: 12,
  killEveryMs: 5_000,
  participantKillGapMs: 5_000,
  kafkaDownMs: 15_000,
  redisDownMs: 5_000,
  revertShare: 0.02,
  duplicateShare: 0.3,
  duplicateMaxDelayMs: 2_000,
};

/** What a fault gets to work with. */
export interface FaultContext {
  cluster: Cluster;
  infra: ChaosInfra;
  kafka: Kafka;
  store: SagaStore;
  storeRedis: RedisClient;
  storeKeys: StoreKeys;
  monitor: Monitor;
  starter: Starter;
  orders: readonly PlannedOrder[];
  seed: string;
  timing: FaultTiming;
  /** The environment every process got on top of the defaults (for the session timeout). */
  extraEnv: Readonly<Record<string, string>>;
  /** Sagas in flight before a fault is injected. */
  inFlightAtFault: number;
  note(line: string): void;
}

export interface FaultOutcome {
  /** When the fault ended (the restarted process ready, the component back), ms. */
  endedAt: number;
  /** How long the component was out (kafka-restart, redis-restart), s. */
  outageSeconds?: number;
  /** Called after every saga ended, before the end state is read (e.g. stop the duplicator). */
  finish?: () => Promise<void>;
  /** Figures that show the fault really happened (read once the run ended). */
  evidence: () => Record<string, number>;
}

export interface Scenario {
  name: string;
  /** One line for the table and the docs. */
  fault: string;
  /** The infrastructure it runs on. @default 'single' (one broker, two Redis servers) */
  infra?: 'single' | 'cluster';
  /** Orchestrator processes. @default the run's (2) */
  orchestrators?: number;
  /** Sagas started per second. @default the run's `--rate` */
  ratePerSecond?: number;
  /** How the orders are sent: per request and per order, ms. @default 3 s and 120 s */
  startTimeouts?: { requestMs: number; giveUpMs: number };
  /** Set for every process on top of the run's `--env`. */
  env?: Readonly<Record<string, string>>;
  inject?: (ctx: FaultContext) => Promise<FaultOutcome>;
}

/** Waits until `count` sagas run at once, as the store says. */
async function sagasInFlight(ctx: FaultContext): Promise<number> {
  const sample = await ctx.monitor.waitFor(
    `${ctx.inFlightAtFault} saga(s) in flight`,
    (s) => s.running >= ctx.inFlightAtFault,
    120_000,
  );
  return sample.running;
}

/**
 * Up to `wanted` running sagas whose command to inventory is out (pending), looked for until
 * `withinMs` passes; fewer (or none) when the run brings no more.
 */
async function waitingOnInventory(
  ctx: FaultContext,
  wanted: number,
  withinMs: number,
): Promise<string[]> {
  const until = Date.now() + withinMs;
  let found: string[] = [];
  while (found.length < wanted && Date.now() < until && runGoesOn(ctx)) {
    const records = await ctx.store.loadMany(ctx.orders.map((o) => o.sagaId));
    found = records
      .filter(
        (r) =>
          r !== undefined &&
          r.status === 'running' &&
          r.pending.some((p) => p.participant === 'inventory' && p.kind === 'action'),
      )
      .map((r) => r!.id)
      .slice(0, wanted);
    if (found.length < wanted) await pause(50);
  }
  return found;
}

/** Whether sagas remain to be started or to end: a repeated fault stops once none do. */
const runGoesOn = (ctx: FaultContext) =>
  ctx.starter.startedCount() < ctx.orders.length || ctx.monitor.latest().running > 0;

/** The consumer session the processes run with (the shipped default unless overridden). */
function sessionTimeoutMs(ctx: FaultContext): number {
  const configured = ctx.extraEnv.KAFKA_SESSION_TIMEOUT;
  if (configured === undefined) return DEFAULT_CONSUMER_TIMINGS.sessionTimeoutMs;
  return /^\d+$/.test(configured) ? Number(configured) : ms(configured as ms.StringValue);
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'baseline', fault: 'none: the figures every other scenario is compared with' },
  {
    name: 'orchestrator-sigkill',
    fault: 'SIGKILL a random orchestrator every ~5 s, restarted at once',
    async inject(ctx) {
      const inFlight = await sagasInFlight(ctx);
      let kills = 0;
      let endedAt = Date.now();
      while (kills < ctx.timing.orchestratorKills && (kills === 0 || runGoesOn(ctx))) {
        const began = Date.now();
        const slot = Math.floor(
          deterministicFraction(ctx.seed, `kill-${kills}`) * ctx.cluster.httpPorts.length,
        );
        await ctx.cluster.sigkill(ctx.cluster.orchestrator(slot));
        kills += 1;
        await ctx.cluster.restartOrchestrator(slot);
        endedAt = Date.now();
        ctx.note(`SIGKILL orchestrator ${slot}, ready again after ${(endedAt - began) / 1000}s`);
        if (kills < ctx.timing.orchestratorKills) {
          await pause(Math.max(0, began + ctx.timing.killEveryMs - Date.now()));
        }
      }
      return { endedAt, evidence: () => ({ kills, inFlightAtFirstKill: inFlight }) };
    },
  },
  {
    name: 'participant-sigkill',
    fault: 'SIGKILL each participant process in turn, restarted at once',
    async inject(ctx) {
      const inFlight = await sagasInFlight(ctx);
      let endedAt = Date.now();
      for (const [i, name] of PARTICIPANTS.entries()) {
        const began = Date.now();
        await ctx.cluster.sigkill(ctx.cluster.participant(name));
        await ctx.cluster.restartParticipant(name);
        endedAt = Date.now();
        ctx.note(`SIGKILL ${name}, ready again after ${(endedAt - began) / 1000}s`);
        if (i < PARTICIPANTS.length - 1) {
          await pause(Math.max(0, began + ctx.timing.participantKillGapMs - Date.now()));
        }
      }
      return {
        endedAt,
        evidence: () => ({ kills: PARTICIPANTS.length, inFlightAtFirstKill: inFlight }),
      };
    },
  },
  {
    name: 'orchestrator-sigstop',
    fault: 'SIGSTOP one orchestrator past its consumer session (its shards move), then SIGCONT',
    async inject(ctx) {
      const inFlight = await sagasInFlight(ctx);
      const zombie = ctx.cluster.orchestrator(0);
      // Past the session the group hands its partitions, and with them its shards, to the other
      // instance; the zombie wakes with sagas in hand and its shards' epochs moved (the fence).
      const stoppedMs = sessionTimeoutMs(ctx) + 5_000;
      zombie.kill('SIGSTOP');
      ctx.note(`SIGSTOP orchestrator 0 for ${stoppedMs / 1000}s`);
      await pause(stoppedMs);
      zombie.kill('SIGCONT');
      return {
        endedAt: Date.now(),
        evidence: () => ({ stoppedSeconds: stoppedMs / 1000, inFlightAtStop: inFlight }),
      };
    },
  },
  {
    name: 'redis-restart',
    fault: "kill -9 the orchestrators' Redis, restart it on its AOF",
    async inject(ctx) {
      const inFlight = await sagasInFlight(ctx);
      const began = Date.now();
      await ctx.infra.kill('store-redis');
      await pause(ctx.timing.redisDownMs);
      await ctx.infra.restart('store-redis');
      const endedAt = Date.now();
      ctx.note(`Redis killed and back after ${(endedAt - began) / 1000}s`);
      return {
        endedAt,
        outageSeconds: (endedAt - began) / 1000,
        evidence: () => ({ inFlightAtKill: inFlight }),
      };
    },
  },
  {
    name: 'kafka-restart',
    fault: 'kill -9 the broker, restart it on its data',
    async inject(ctx) {
      const inFlight = await sagasInFlight(ctx);
      const began = Date.now();
      await ctx.infra.kill('kafka');
      await pause(ctx.timing.kafkaDownMs);
      await ctx.infra.restart('kafka');
      const endedAt = Date.now();
      ctx.note(`broker killed and back after ${(endedAt - began) / 1000}s`);
      return {
        endedAt,
        outageSeconds: (endedAt - began) / 1000,
        evidence: () => ({ inFlightAtKill: inFlight }),
      };
    },
  },
  {
    name: 'redis-lost-second',
    fault:
      'revert some sagas (record, history, timers) to the revision before their reply, as a lost fsync would',
    async inject(ctx) {
      await sagasInFlight(ctx);
      const wanted = Math.max(3, Math.round(ctx.orders.length * ctx.timing.revertShare));
      const reverted: string[] = [];
      // Running sagas with a command out, taken as the run goes until enough moved on. Since a
      // saga ends in ~50 ms, few are caught between command and reply by chance: inventory (the
      // first step's participant) is held with SIGSTOP while they are picked and snapshotted —
      // well inside its consumer session — so each one picked is sure to have its reply still
      // to come, and SIGCONT lets the replies go.
      const inventory = ctx.cluster.participant('inventory');
      while (reverted.length < wanted && runGoesOn(ctx)) {
        inventory.kill('SIGSTOP');
        let held = true;
        const release = () => {
          if (held) inventory.kill('SIGCONT');
          held = false;
        };
        try {
          const candidates = await waitingOnInventory(ctx, wanted - reverted.length, 3_000);
          if (candidates.length === 0) continue;
          const outcome = await revertAfterCommand(
            ctx.storeRedis,
            ctx.storeKeys,
            ctx.store,
            candidates,
            30_000,
            release,
          );
          reverted.push(...outcome.reverted);
        } finally {
          release();
        }
      }
      ctx.note(`reverted ${reverted.length} sagas after their command was answered`);
      return { endedAt: Date.now(), evidence: () => ({ reverted: reverted.length }) };
    },
  },
  {
    name: 'duplicate-reorder',
    fault: 'copy 30 % of commands and replies, half of the copies delayed and out of order',
    async inject(ctx) {
      const duplicator = await startDuplicator({
        kafka: ctx.kafka,
        prefix: ctx.cluster.prefix,
        seed: ctx.seed,
        share: ctx.timing.duplicateShare,
        maxDelayMs: ctx.timing.duplicateMaxDelayMs,
      });
      // The copies must really flow while sagas run: wait for copies of both kinds.
      await ctx.monitor.waitFor(
        'copies of commands and replies',
        () => {
          const counts = duplicator.counts();
          return counts.commands > 0 && counts.replies > 0 && counts.delayed > 0;
        },
        120_000,
      );
      return {
        endedAt: Date.now(),
        finish: () => duplicator.stop(),
        evidence: () => ({ ...duplicator.counts() }),
      };
    },
  },
  // The cluster topology's run, on its own infrastructure (bench/chaos/cluster-failover.ts).
  CLUSTER_FAILOVER,
];
