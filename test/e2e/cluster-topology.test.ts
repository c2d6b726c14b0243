/**
 * The cluster topology (`INFRA_TOPOLOGY=cluster scripts/infra.sh`, started by this file on ports
 * of its own): three KRaft brokers with replication factor 3 and min ISR 2, a Redis Cluster of
 * three primaries with one replica each, the orchestrator connected to it by its seed nodes
 * (`createRedisClient` with `clusterNodes`, as `REDIS_CLUSTER_NODES` configures it) and the example
 * participants on the same cluster client.
 *
 * Three batches of 30 planned orders (their outcomes known up front from the participants' seeded
 * stock and credit): one without faults; one during which a broker is SIGKILLed (the partitions
 * it led elect new leaders among the two left); one during which a Redis primary is SIGKILLed
 * (its replica is promoted after REDIS_CLUSTER_NODE_TIMEOUT, 2 s here). Each fault falls in the
 * middle of its batch: half the batch is under way, a few sagas have ended, the other half is
 * sent right after the kill. Every saga must end as planned, every effect and compensation
 * applied once (`checkRun`, `checkEffects`), nothing left running or in the outbox. The time from
 * each kill to the first saga of the second half ending is the recovery time it prints
 * (docs/reliability.md keeps the figures).
 */
import { expect } from 'chai';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createRedisClient, type RedisClient } from '../../orchestrator/store/index.js';
import { eventually } from '../support/eventually.js';
import { useClusterInfra } from '../support/cluster-infra.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { startSystem, type RunningSystem } from '../support/system.js';
import { checkEffects } from './support/check-effects.js';
import { checkRun } from './support/check-run.js';
import {
  planOrders,
  progressOf,
  sendStartRequests,
  type PlannedOrder,
} from './support/order-run.js';

const BATCH = 30;
/**
 * The order saga as shipped (10 s per step attempt × 3, 10 s per compensation attempt × 5), not
 * the tests' shorter timings: a participant may not answer for 4–20 s while leaders move or a
 * replica is promoted here, longer than the tests' 6 s × 3 step round and 3 s × 2 compensation
 * round, after which compensating or parking is the designed outcome, not the one a run without
 * faults has. Deadlines must outlast a failover (docs/reliability.md).
 */
const CLUSTER_ORDER_SAGA = createOrderSaga();
/** Redis and Kafka answer errors while a node is gone: a probe then means "not yet". */
const THROUGH_FAULTS = { timeoutMs: 90_000, intervalMs: 50, retryOn: () => true };

describe('cluster topology: 3 KRaft brokers and a Redis Cluster of 3 primaries + 3 replicas', function () {
  this.timeout(240_000);
  const prefix = 'cluster-e2e';
  const orders = planOrders(3 * BATCH, prefix);
  const recoveries: Record<string, number> = {};
  let kafka: Kafka;
  let redis: RedisClient;
  let producer: Producer | undefined;
  let system: RunningSystem | undefined;

  // Registered before useClusterInfra: mocha runs `after` hooks in order, so the system and its
  // connections stop before the cluster goes down.
  after(async function () {
    this.timeout(60_000);
    await system?.stop();
    await producer?.disconnect().catch(() => undefined);
    redis?.disconnect();
    console.log(
      `      recovery after each fault (kill → next saga ended): ${JSON.stringify(recoveries)}`,
    );
  });
  const cluster = useClusterInfra();

  before(async function () {
    this.timeout(120_000);
    kafka = new Kafka({ brokers: cluster.brokers, clientId: prefix, logLevel: logLevel.NOTHING });
    redis = createRedisClient({ clusterNodes: cluster.redisNodes });
    // A failing node's errors are expected here; ioredis retries and the test checks the outcome.
    redis.on('error', () => undefined);
    system = await startSystem(
      { kafka, brokers: cluster.brokers, redis, prefix },
      {
        definitions: [CLUSTER_ORDER_SAGA],
        seed: {
          stock: { 'SKU-A': 100_000, 'SKU-B': 100_000, 'SKU-GONE': 0 },
          creditLimits: Object.fromEntries(
            orders.filter((o) => o.expected === 'declined').map((o) => [o.input.customerId, 0]),
          ),
          defaultCreditLimit: 1_000_000_000,
        },
        tuning: { topicReplicationFactor: 3 },
      },
    );
    producer = kafka.producer();
    await producer.connect();
  });

  const running = () => {
    if (!system || !producer) throw new Error('the system is started in before()');
    return { system, producer };
  };

  const endedOf = async (batch: readonly PlannedOrder[]) =>
    (await progressOf(running().system.orchestrator.store, batch)).ended;

  async function allEnded(batch: readonly PlannedOrder[]) {
    await eventually(
      `the ${batch.length} sagas of the batch to end`,
      async () => ((await endedOf(batch)) === batch.length ? true : undefined),
      THROUGH_FAULTS,
    );
  }

  /**
   * Sends the first half of `batch`, waits until a few of its sagas ended (so the fault finds
   * sagas between steps), runs `fault`, sends the second half and measures how long after the
   * fault the first of those ended.
   */
  async function runThrough(
    name: string,
    batch: readonly PlannedOrder[],
    fault: () => Promise<void>,
  ) {
    const { producer } = running();
    const [before, after] = [batch.slice(0, BATCH / 2), batch.slice(BATCH / 2)];
    await sendStartRequests(producer, prefix, before);
    await eventually(
      'a few sagas of the first half to end',
      async () => ((await endedOf(before)) >= 3 ? true : undefined),
      THROUGH_FAULTS,
    );
    const faultAt = Date.now();
    await fault();
    // A client whose send fails while leaders move sends again: the idempotency keys make a
    // request that did arrive start its saga once.
    await eventually(
      'the start requests to be accepted',
      async () => {
        await sendStartRequests(producer, prefix, after);
        return true;
      },
      { ...THROUGH_FAULTS, intervalMs: 500 },
    );
    await eventually(
      'the first saga sent after the fault to end',
      async () => ((await endedOf(after)) >= 1 ? true : undefined),
      THROUGH_FAULTS,
    );
    recoveries[name] = (Date.now() - faultAt) / 1000;
    console.log(`      ${name}: ${recoveries[name]} (from the kill to the next saga ended)`);
    await allEnded(batch);
  }

  async function expectAsPlanned(batch: readonly PlannedOrder[]) {
    const { system } = running();
    const keyPrefix = system.exampleKeyPrefix;
    const run = await checkRun(system.orchestrator.store, system.redis, keyPrefix, batch);
    expect(run.problems, run.problems.join('\n')).to.deep.equal([]);
    const effects = await checkEffects(system.orchestrator.store, system.redis, keyPrefix, batch);
    expect(effects.missing).to.deep.equal([]);
    expect(effects.running).to.deep.equal([]);
    expect(effects.doubleEffects, effects.doubleEffects.join('\n')).to.deep.equal([]);
  }

  it('completes a batch of order sagas as planned with every node up', async () => {
    const batch = orders.slice(0, BATCH);
    await sendStartRequests(running().producer, prefix, batch);
    await allEnded(batch);
    await expectAsPlanned(batch);
    const completed = batch.filter((o) => o.expected === 'completed').length;
    expect(completed).to.be.greaterThan(BATCH / 2);
  });

  it('ends every saga as planned when a broker is SIGKILLed mid-run (leaders move)', async () => {
    await runThrough('brokerKilledSeconds', orders.slice(BATCH, 2 * BATCH), () =>
      cluster.killBroker(1),
    );
    // The planned outcomes are checked over every order so far: no saga of the first batch moved.
    await expectAsPlanned(orders.slice(0, 2 * BATCH));
  });

  it('ends every saga as planned when a Redis primary is SIGKILLed mid-run (its replica promoted)', async () => {
    let killed = 0;
    await runThrough('redisPrimaryKilledSeconds', orders.slice(2 * BATCH), async () => {
      killed = await cluster.killRedisPrimary();
    });
    await expectAsPlanned(orders);
    // The killed primary comes back on its AOF and rejoins as the replica of the one promoted.
    await cluster.startRedisNode(killed);
    const node = cluster.redisNodes[killed - 1]!;
    const direct = createRedisClient({ url: `redis://${node.host}:${node.port}` });
    try {
      await eventually(
        `Redis node ${killed} to rejoin as a replica`,
        async () => {
          const [role] = (await direct.call('ROLE')) as [string];
          return role === 'slave' ? true : undefined;
        },
        THROUGH_FAULTS,
      );
    } finally {
      direct.disconnect();
    }
  });
});
