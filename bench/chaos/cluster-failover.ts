/**
 * The failover run on the cluster topology (3 KRaft brokers RF 3 / min ISR 2, Redis Cluster of 3
 * primaries + 3 replicas, AOF on), three orchestrator processes and the example participants,
 * every process on REDIS_WAIT_REPLICAS=1. While orders flow: SIGKILL a broker (leaders move; it
 * is started again), `kill -9` a Redis primary (its replica is promoted; the node is started
 * again and rejoins as a replica), then a rolling restart of the orchestrators one at a time as
 * Kubernetes does it (SIGTERM, the new one ready, the next).
 *
 * Each fault's recovery is measured from the store: from the fault to the first saga *created
 * after it* that ended (a saga already under way may end on a part the fault did not touch), and
 * for a restart also to the new process's ready line.
 */
import type { PlannedOrder } from '../../test/e2e/support/order-run.js';
import type { SagaStore } from '../../orchestrator/store/index.js';
import { pause } from './load.js';
import type { FaultContext, FaultOutcome, Scenario } from './scenarios.js';

/** What the cluster's processes run with on top of the shipped defaults. */
export const CLUSTER_FAILOVER_ENV = {
  SAGA_TOPIC_REPLICATION_FACTOR: '3',
  REDIS_WAIT_REPLICAS: '1',
} as const;

/** One fault of the run: when it hit, and when the process it restarted was ready. */
interface FaultMark {
  name: string;
  at: number;
  readyAt?: number;
}

/**
 * Milliseconds from `at` to the first end of a saga created after `at`, from the records; null
 * when none was created after it.
 */
export async function firstEndAfter(
  store: SagaStore,
  orders: readonly PlannedOrder[],
  at: number,
): Promise<number | null> {
  const records = await store.loadMany(orders.map((o) => o.sagaId));
  let first: number | null = null;
  for (const r of records) {
    if (!r || r.status === 'running' || r.createdAt <= at) continue;
    if (first === null || r.updatedAt < first) first = r.updatedAt;
  }
  return first === null ? null : first - at;
}

/** Waits (bounded) until a saga created after `at` has ended, so the next fault finds a run. */
async function untilSagaEndsAfter(ctx: FaultContext, at: number, what: string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    ctx.cluster.assertRunning();
    if ((await firstEndAfter(ctx.store, ctx.orders, at).catch(() => null)) !== null) return;
    await pause(500);
  }
  ctx.note(`no saga created after ${what} ended within 120 s`);
}

const seconds = (ms: number | null) => (ms === null ? -1 : Math.round(ms / 100) / 10);

export const CLUSTER_FAILOVER: Scenario = {
  name: 'cluster-failover',
  fault:
    'cluster topology, 3 orchestrators: SIGKILL a broker, kill -9 a Redis primary (replica promoted), then a rolling restart of the orchestrators (SIGTERM, ready, next)',
  infra: 'cluster',
  orchestrators: 3,
  // Slow enough that sagas are still being started when the last restart is done; requests
  // patient enough that 15 processes on 2 cores shared with other work do not turn a slow
  // answer into a storm of retries (3 s and 6/s did: 3,489 timeouts, 133 orders given up).
  ratePerSecond: 3,
  startTimeouts: { requestMs: 15_000, giveUpMs: 300_000 },
  env: CLUSTER_FAILOVER_ENV,
  async inject(ctx): Promise<FaultOutcome> {
    const faults = ctx.infra.cluster;
    if (!faults) throw new Error('cluster-failover needs the cluster topology');
    await ctx.monitor.waitFor('a saga in flight', (s) => s.running >= 1, 120_000);
    const marks: FaultMark[] = [];

    let at = Date.now();
    await faults.killBroker(1);
    marks.push({ name: 'brokerKilled', at });
    ctx.note('SIGKILL broker 1');
    await untilSagaEndsAfter(ctx, at, 'the broker kill');
    await faults.startBroker(1);
    ctx.note(`broker 1 back after ${(Date.now() - at) / 1000}s`);

    at = Date.now();
    const node = await faults.killRedisPrimary();
    marks.push({ name: 'redisPrimaryKilled', at });
    ctx.note(`kill -9 Redis primary (node ${node})`);
    await untilSagaEndsAfter(ctx, at, 'the primary kill');
    await faults.startRedisNode(node);
    ctx.note(`Redis node ${node} back (a replica now) after ${(Date.now() - at) / 1000}s`);

    for (let slot = 0; slot < ctx.cluster.httpPorts.length; slot++) {
      at = Date.now();
      await ctx.cluster.rollOrchestrator(slot);
      marks.push({ name: `restart${slot}`, at, readyAt: Date.now() });
      ctx.note(`orchestrator ${slot}: SIGTERM → ready in ${(Date.now() - at) / 1000}s`);
      await untilSagaEndsAfter(ctx, at, `the restart of orchestrator ${slot}`);
    }

    const evidence: Record<string, number> = {};
    return {
      endedAt: Date.now(),
      // Read once every saga ended: each fault's recovery, from the records.
      async finish() {
        for (const mark of marks) {
          const recovery = await firstEndAfter(ctx.store, ctx.orders, mark.at);
          evidence[`${mark.name}RecoverySeconds`] = seconds(recovery);
          if (mark.readyAt !== undefined) {
            evidence[`${mark.name}ReadySeconds`] = seconds(mark.readyAt - mark.at);
          }
        }
      },
      evidence: () => evidence,
    };
  },
};
