/**
 * The failover run on the cluster topology (`INFRA_TOPOLOGY=cluster scripts/infra.sh`, started by
 * this file on ports of its own): three KRaft brokers (replication factor 3, min ISR 2), a Redis
 * Cluster of three primaries with one replica each (AOF on), three orchestrator processes
 * (`orchestrator/main.ts`) and the three example participants as processes, all configured by
 * their environment only (KAFKA_BROKERS with every broker, REDIS_CLUSTER_NODES,
 * SAGA_TOPIC_REPLICATION_FACTOR=3), as a deployment would run them. Black-box: processes, env and
 * store reads; nothing here depends on how the orchestrators share their work.
 *
 * Five batches of 20 planned orders (outcomes known up front from the participants' seeded stock
 * and credit), each checked against its plan (`checkRun`, `checkEffects`: every effect and
 * compensation once, nothing running or left in an outbox):
 * 1. every process on REDIS_WAIT_REPLICAS=0, no fault;
 * 2. a rolling restart of the orchestrators one at a time as Kubernetes does it (SIGTERM, the new
 *    one ready, the next), which also rolls out REDIS_WAIT_REPLICAS=1, then the participants';
 * 3. no fault, on REDIS_WAIT_REPLICAS=1: the Redis nodes ran WAIT (INFO commandstats), and the
 *    latency per saga is printed beside batch 1's;
 * 4. a broker SIGKILLed mid-batch (its partitions elect new leaders among the two left);
 * 5. a Redis primary SIGKILLed mid-batch (its replica is promoted); it is started again on its
 *    AOF and rejoins as a replica.
 * Each fault's recovery — from the fault to the first saga created after it ending, and for a
 * restart to its ready line — is printed (docs/reliability.md keeps the figures).
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { clusterTopologyInfra, connectRedis } from '../../bench/chaos/chaos-infra.js';
import { firstEndAfter } from '../../bench/chaos/cluster-failover.js';
import {
  chaosConnection,
  PARTICIPANTS,
  startCluster,
  type Cluster,
} from '../../bench/chaos/cluster.js';
import { startOrders } from '../../bench/chaos/load.js';
import type { RedisClient, SagaStore } from '../../orchestrator/store/index.js';
import { eventually } from '../support/eventually.js';
import { useClusterInfra } from '../support/cluster-infra.js';
import { checkEffects } from './support/check-effects.js';
import { checkRun } from './support/check-run.js';
import {
  planOrders,
  progressOf,
  readerStore,
  seedOrderParticipants,
  type PlannedOrder,
} from './support/order-run.js';

const BATCH = 20;
/** Redis and Kafka answer errors while a node is gone: a probe then means "not yet". */
const THROUGH_FAULTS = { timeoutMs: 90_000, intervalMs: 100, retryOn: () => true };

describe('cluster topology: 3 orchestrator processes through a broker kill, a Redis failover and a rolling restart', function () {
  this.timeout(180_000);
  const prefix = 'cluster-e2e';
  const orders = planOrders(5 * BATCH, prefix);
  const batch = (n: number) => orders.slice(n * BATCH, (n + 1) * BATCH);
  const figures: Record<string, number> = {};
  let redis: RedisClient | undefined;
  let store: SagaStore;
  let processes: Cluster | undefined;
  /** A connection to each Redis node of its own, for INFO and ROLE. */
  let nodes: Redis[] = [];

  // Registered before useClusterInfra: mocha runs `after` hooks in order, so the processes and
  // connections stop before the cluster goes down.
  after(async function () {
    this.timeout(60_000);
    await processes?.stop();
    redis?.disconnect();
    for (const node of nodes) node.disconnect();
    console.log(`      figures (s, ms for latencies): ${JSON.stringify(figures)}`);
  });
  const cluster = useClusterInfra();

  before(async function () {
    this.timeout(120_000);
    const infra = clusterTopologyInfra(
      cluster.brokers,
      cluster.redisNodes.map((n) => `${n.host}:${n.port}`),
      cluster,
    );
    redis = connectRedis(infra.storeRedisEnv, { maxRetriesPerRequest: 20 });
    // A failing node's errors are expected here; ioredis retries and the test checks the outcome.
    redis.on('error', () => undefined);
    nodes = cluster.redisNodes.map((n) => {
      const node = new Redis({ host: n.host, port: n.port, lazyConnect: true });
      node.on('error', () => undefined);
      return node;
    });
    store = readerStore(redis, prefix);
    await seedOrderParticipants(redis, `${prefix}:shop`, orders);
    processes = await startCluster({
      connection: chaosConnection(infra),
      prefix,
      orchestrators: 3,
      extraEnv: {
        SAGA_TOPIC_REPLICATION_FACTOR: '3',
        SAGA_TOPIC_PARTITIONS: '4',
        REDIS_WAIT_REPLICAS: '0',
        // A quicker heartbeat and fetch: a group change settles sooner (session: the default).
        KAFKA_HEARTBEAT_INTERVAL: '500ms',
        KAFKA_MAX_WAIT: '100ms',
      },
    });
  });

  const running = () => {
    if (!processes) throw new Error('the processes are started in before()');
    return processes;
  };

  /** Starts `list` through the orchestrators' HTTP API (a refused request goes to the next). */
  async function start(list: readonly PlannedOrder[]) {
    const summary = await startOrders(list, running().httpPorts, 100, 90_000).done;
    expect(summary.notStarted, 'orders no orchestrator accepted').to.deep.equal([]);
  }

  async function allEnded(list: readonly PlannedOrder[]) {
    await eventually(
      `the ${list.length} sagas to end`,
      async () => {
        running().assertRunning();
        const progress = await progressOf(store, list);
        return progress.ended === list.length ? true : undefined;
      },
      THROUGH_FAULTS,
    );
  }

  async function expectAsPlanned(list: readonly PlannedOrder[]) {
    const keyPrefix = running().participantsKeyPrefix;
    const run = await checkRun(store, redis!, keyPrefix, list);
    expect(run.problems, run.problems.join('\n')).to.deep.equal([]);
    const effects = await checkEffects(store, redis!, keyPrefix, list);
    expect(effects.missing).to.deep.equal([]);
    expect(effects.running).to.deep.equal([]);
    expect(effects.doubleEffects, effects.doubleEffects.join('\n')).to.deep.equal([]);
  }

  /** Seconds from `at` to the first saga created after it ending. */
  async function recoveryAfter(at: number): Promise<number> {
    const ms = await firstEndAfter(store, orders, at);
    expect(ms, 'a saga created after the fault ended').to.not.equal(null);
    return Math.round(ms! / 100) / 10;
  }

  /** Median ms from a completed saga's creation to its end. */
  async function medianLatency(list: readonly PlannedOrder[]): Promise<number> {
    const records = await store.loadMany(list.map((o) => o.sagaId));
    const ms = records
      .filter((r) => r?.status === 'completed')
      .map((r) => r!.updatedAt - r!.createdAt)
      .sort((a, b) => a - b);
    return ms[Math.floor(ms.length / 2)] ?? NaN;
  }

  /** WAIT commands the Redis nodes ran so far (INFO commandstats, every node). */
  async function waitCalls(): Promise<number> {
    let calls = 0;
    for (const node of nodes) {
      if (node.status === 'wait') await node.connect();
      const stats = await node.info('commandstats');
      calls += Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    }
    return calls;
  }

  /** Median ms of `times` runs of `work` on the primary that holds the probe key's slot. */
  async function medianMs(times: number, work: (node: Redis) => Promise<unknown>) {
    let primary: Redis | undefined;
    for (const node of nodes) {
      // Only the key's primary takes the write; the others answer MOVED (or READONLY).
      if (
        await node.set(`${prefix}:probe`, '1').then(
          () => true,
          () => false,
        )
      )
        primary = node;
    }
    if (!primary) throw new Error('no node took the probe key');
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const began = performance.now();
      await work(primary);
      ms.push(performance.now() - began);
    }
    ms.sort((a, b) => a - b);
    return Math.round((ms[Math.floor(times / 2)] ?? NaN) * 100) / 100;
  }

  /** Sends the first half, waits until a few ended, runs `fault`, sends the second half. */
  async function throughFault(name: string, list: readonly PlannedOrder[], fault: () => unknown) {
    const [first, second] = [list.slice(0, BATCH / 2), list.slice(BATCH / 2)];
    await start(first);
    await eventually(
      'a few sagas of the first half to end',
      async () => ((await progressOf(store, first)).ended >= 3 ? true : undefined),
      THROUGH_FAULTS,
    );
    const at = Date.now();
    await fault();
    await start(second);
    await allEnded(list);
    figures[`${name}RecoverySeconds`] = await recoveryAfter(at);
    console.log(`      ${name}: ${figures[`${name}RecoverySeconds`]} s to the next saga ended`);
  }

  it('completes a batch as planned with every node up (REDIS_WAIT_REPLICAS=0)', async () => {
    await start(batch(0));
    await allEnded(batch(0));
    await expectAsPlanned(batch(0));
    figures.latencyMsWithoutWait = await medianLatency(batch(0));
    // Nothing asked for replica acknowledgements yet.
    expect(await waitCalls()).to.equal(0);
  });

  it('ends every saga as planned through a rolling restart of the orchestrators (SIGTERM, ready, next)', async () => {
    const chunks = [0, 1, 2, 3].map((i) => batch(1).slice(i * 5, (i + 1) * 5));
    for (const slot of [0, 1, 2]) {
      const at = Date.now();
      // The setting rolled out with the restart, as a changed Deployment would.
      const rolled = running().rollOrchestrator(slot, { REDIS_WAIT_REPLICAS: '1' });
      await start(chunks[slot]!);
      await rolled;
      figures[`restart${slot}ReadySeconds`] = (Date.now() - at) / 1000;
      await allEnded(chunks[slot]!);
      figures[`restart${slot}RecoverySeconds`] = await recoveryAfter(at);
      console.log(
        `      orchestrator ${slot}: ready ${figures[`restart${slot}ReadySeconds`]} s after SIGTERM, ` +
          `next saga ended after ${figures[`restart${slot}RecoverySeconds`]} s`,
      );
    }
    for (const name of PARTICIPANTS) await running().rollParticipant(name);
    await start(chunks[3]!);
    await allEnded(batch(1));
    await expectAsPlanned(orders.slice(0, 2 * BATCH));
  });

  it('waits for a replica after each saga write and participant result (REDIS_WAIT_REPLICAS=1)', async () => {
    const before = await waitCalls();
    await start(batch(2));
    await allEnded(batch(2));
    await expectAsPlanned(orders.slice(0, 3 * BATCH));
    figures.latencyMsWithWait = await medianLatency(batch(2));
    const after = await waitCalls();
    // At least one WAIT per saga write batch and per participant result of the batch.
    expect(after - before).to.be.at.least(BATCH);
    figures.waitsPerSaga = (after - before) / BATCH;
    // What one WAIT adds (INFO's usec leaves the blocked time out): a write alone and a write
    // followed by WAIT 1, side by side on a primary, medians of 100.
    figures.writeMs = await medianMs(100, (node) => node.set(`${prefix}:probe`, '1'));
    figures.writeAndWaitMs = await medianMs(100, (node) =>
      node.pipeline().set(`${prefix}:probe`, '1').call('WAIT', 1, 1_000).exec(),
    );
    console.log(
      `      latency per completed saga (median): ${figures.latencyMsWithoutWait} ms without WAIT, ` +
        `${figures.latencyMsWithWait} ms with; ${figures.waitsPerSaga} WAITs per saga; a write ` +
        `${figures.writeMs} ms alone, ${figures.writeAndWaitMs} ms with its WAIT`,
    );
  });

  it('ends every saga as planned when a broker is SIGKILLed mid-run (leaders move)', async () => {
    await throughFault('brokerKilled', batch(3), () => cluster.killBroker(1));
    await expectAsPlanned(orders.slice(0, 4 * BATCH));
  });

  it('ends every saga as planned when a Redis primary is SIGKILLed mid-run (its replica promoted)', async () => {
    let killed = 0;
    await throughFault('redisPrimaryKilled', batch(4), async () => {
      killed = await cluster.killRedisPrimary();
    });
    await expectAsPlanned(orders);
    // The killed primary comes back on its AOF and rejoins as the replica of the one promoted.
    await cluster.startRedisNode(killed);
    await eventually(
      `Redis node ${killed} to rejoin as a replica`,
      async () => {
        const node = nodes[killed - 1]!;
        if (node.status === 'wait') await node.connect();
        const [role] = (await node.call('ROLE')) as [string];
        return role === 'slave' ? true : undefined;
      },
      THROUGH_FAULTS,
    );
  });
});
