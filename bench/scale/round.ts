/**
 * One round of the scale bench: N orchestrator processes and the three example participants (one
 * process each, `bench/chaos/cluster.ts`) on the cluster topology, under a topic and key prefix of
 * the round's own. First their CPU with no saga (the fixed cost); then a closed loop of sagas
 * (`closed-loop.ts`) and, after a warm-up (one full turn of the loop, then a fixed time), the
 * sagas that reached rest in the measured window and the CPU every process used in it
 * (`cpu-accounts.ts`). The round's processes stop and its topics are deleted afterwards, so
 * rounds do not weigh on each other.
 */
import os from 'node:os';
import type { Admin } from 'kafkajs';
import type { RedisClient } from '../../orchestrator/store/index.js';
import { seedInventory, seedPayment } from '../../participants/examples/index.js';
import { startCluster, PARTICIPANTS, type ClusterConnection } from '../chaos/cluster.js';
import { pause } from '../chaos/load.js';
import { startClosedLoop } from './closed-loop.js';
import {
  COMPONENTS,
  cpuBetween,
  readCpu,
  type Component,
  type ProcessGroups,
} from './cpu-accounts.js';

export interface RoundSettings {
  /** Round number (1-based) and how many orchestrator processes it runs. */
  round: number;
  orchestrators: number;
  /** Prefix of the whole run; the round adds its own part. */
  runPrefix: string;
  brokers: string[];
  connection: ClusterConnection;
  /** The brokers' and Redis nodes' pids, for their CPU. */
  infraPids: { kafka: readonly number[]; redis: readonly number[] };
  /** Every process gets these too (replication factor, store shards, partitions). */
  extraEnv: Readonly<Record<string, string>>;
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  redis: RedisClient;
  admin: Admin;
  log(line: string): void;
}

export interface RoundResult {
  round: number;
  orchestrators: number;
  /** Sagas at rest in the measured window, per second. */
  sagasPerSec: number;
  sagasEnded: number;
  seconds: number;
  /** CPU ms per saga at rest in the window, per component and in total. */
  cpuMsPerSaga: Record<Component | 'total', number>;
  /** Total CPU ms per saga above what the same processes use with no saga (`idleCpuPercent`). */
  marginalCpuMsPerSaga: number;
  /** CPU of each component with every process up and no saga, % of one core. */
  idleCpuPercent: Record<Component, number>;
  /** Each orchestrator process's CPU over the window, % of one core. */
  orchestratorCpuPercents: number[];
  /** All cores' busy time over the window, % of one core; minus ours, the machine's other work. */
  machineBusyPercent: number;
  /** CPU of the round's own processes, % of one core. */
  oursPercent: number;
  /** 1-minute load average at the end of the window. */
  loadAverage1m: number;
  /** Sagas at rest over the whole round, by their end event (all completed when all is well). */
  endedByEvent: Record<string, number>;
  startedAt: string;
}

/** How long the first turn of the loop may take (the processes' start, the groups' joins). */
const FIRST_TURN_TIMEOUT_MS = 180_000;
/** After the processes are ready, before the idle window; then the idle window. */
const IDLE_SETTLE_MS = 3_000;
const IDLE_WINDOW_MS = 5_000;

/** Stock and credit no round runs out of (every bench order is the same three-step order). */
async function seedParticipants(redis: RedisClient, keyPrefix: string): Promise<void> {
  await seedInventory(redis, {
    keyPrefix,
    stock: { 'SKU-RED-SHIRT': 1_000_000_000, 'SKU-BLUE-MUG': 1_000_000_000 },
  });
  await seedPayment(redis, { keyPrefix, defaultCreditLimit: 1e15 });
}

export async function runRound(settings: RoundSettings): Promise<RoundResult> {
  const prefix = `${settings.runPrefix}-r${settings.round}-n${settings.orchestrators}`;
  const startedAt = new Date().toISOString();
  await seedParticipants(settings.redis, `${prefix}:shop`);
  const cluster = await startCluster({
    connection: settings.connection,
    prefix,
    orchestrators: settings.orchestrators,
    extraEnv: settings.extraEnv,
  });
  try {
    const groups: ProcessGroups = {
      orchestrators: Array.from(
        { length: settings.orchestrators },
        (_, slot) => cluster.orchestrator(slot).pid,
      ),
      participants: PARTICIPANTS.map((name) => cluster.participant(name).pid),
      kafka: settings.infraPids.kafka,
      redis: settings.infraPids.redis,
    };
    // The fixed cost: every process up, no saga yet (the last of the start-up settles first).
    await pause(IDLE_SETTLE_MS);
    const idleStart = readCpu(groups);
    await pause(IDLE_WINDOW_MS);
    const idle = cpuBetween(idleStart, readCpu(groups), groups);
    const loop = await startClosedLoop({
      brokers: settings.brokers,
      prefix,
      inFlight: settings.inFlight,
    });
    // Every second: the processes still run and the driver still sends (each throws otherwise).
    const check = () => {
      cluster.assertRunning();
      loop.started();
    };
    try {
      // Warm-up: one full turn of the loop (the groups joined, the shards placed, the code hot),
      // then the warm-up time.
      const firstTurnBy = Date.now() + FIRST_TURN_TIMEOUT_MS;
      while (loop.ended() < settings.inFlight) {
        if (Date.now() > firstTurnBy) {
          throw new Error(`fewer than ${settings.inFlight} sagas ended in the first 3 minutes`);
        }
        check();
        await pause(250);
      }
      await watchFor(settings.warmupMs, check);
      const endedBefore = loop.ended();
      const before = readCpu(groups);
      await watchFor(settings.measureMs, check);
      const after = readCpu(groups);
      const sagasEnded = loop.ended() - endedBefore;
      const window = cpuBetween(before, after, groups);
      const perSaga = (ms: number) => (sagasEnded > 0 ? ms / sagasEnded : Number.NaN);
      const total = Object.values(window.ms).reduce((sum, ms) => sum + ms, 0);
      const idleMsPerSecond = (component: Component) => idle.ms[component] / idle.seconds;
      const idleTotal = COMPONENTS.reduce((sum, c) => sum + idleMsPerSecond(c), 0);
      const result: RoundResult = {
        round: settings.round,
        orchestrators: settings.orchestrators,
        sagasPerSec: sagasEnded / window.seconds,
        sagasEnded,
        seconds: window.seconds,
        cpuMsPerSaga: {
          orchestrators: perSaga(window.ms.orchestrators),
          participants: perSaga(window.ms.participants),
          kafka: perSaga(window.ms.kafka),
          redis: perSaga(window.ms.redis),
          driver: perSaga(window.ms.driver),
          total: perSaga(total),
        },
        marginalCpuMsPerSaga: perSaga(total - idleTotal * window.seconds),
        idleCpuPercent: Object.fromEntries(
          COMPONENTS.map((c) => [c, idleMsPerSecond(c) / 10]),
        ) as Record<Component, number>,
        orchestratorCpuPercents: window.orchestratorPercents,
        machineBusyPercent: window.machineBusyPercent,
        oursPercent: total / 10 / window.seconds,
        loadAverage1m: os.loadavg()[0] ?? 0,
        endedByEvent: loop.endedByEvent(),
        startedAt,
      };
      settings.log(
        `round ${settings.round}, ${settings.orchestrators} orchestrator(s): ` +
          `${result.sagasPerSec.toFixed(1)} sagas/s, ${result.cpuMsPerSaga.total.toFixed(2)} CPU ms/saga ` +
          `(orchestrators ${result.cpuMsPerSaga.orchestrators.toFixed(2)}), orchestrators at ` +
          `${result.orchestratorCpuPercents.join(' / ')} % of a core, load ${result.loadAverage1m.toFixed(2)}`,
      );
      return result;
    } finally {
      await loop.stop();
    }
  } finally {
    await cluster.stop();
    await deleteTopicsOf(settings.admin, prefix).catch((error: Error) =>
      settings.log(`could not delete the topics of ${prefix}: ${error.message}`),
    );
  }
}

/** Waits `ms`, running `check` every second. */
async function watchFor(ms: number, check: () => void) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    check();
    await pause(Math.min(1_000, until - Date.now()));
  }
}

async function deleteTopicsOf(admin: Admin, prefix: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}
