/**
 * Redis behind Sentinels: a primary, its replica and three Sentinels (test/support/sentinel-
 * infra.ts), the orchestrator and the example participants connected by REDIS_SENTINELS /
 * REDIS_SENTINEL_MASTER (read by the configuration loader, as a process reads them) on the shared
 * Kafka. A batch of planned orders runs with everything up; a second batch runs through a
 * SIGKILL of the primary: half the batch is under way when the primary dies, the other half is
 * sent after it. The Sentinels promote the replica, the clients follow them to it, and every saga
 * ends as planned with every effect once (`checkRun`, `checkEffects`). The time from the kill to
 * the first saga of the second half ending is printed (docs/store.md keeps the figure).
 */
import { expect } from 'chai';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { loadConnectionConfig } from '../../orchestrator/config/index.js';
import { createRedisClient, type RedisClient } from '../../orchestrator/store/index.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { eventually } from '../support/eventually.js';
import { infraEndpoints, uniquePrefix } from '../support/infra.js';
import { SENTINEL_MASTER_NAME, useSentinelInfra } from '../support/sentinel-infra.js';
import { startSystem, type RunningSystem } from '../support/system.js';
import { checkEffects } from './support/check-effects.js';
import { checkRun } from './support/check-run.js';
import {
  planOrders,
  progressOf,
  sendStartRequests,
  type PlannedOrder,
} from './support/order-run.js';

const BATCH = 20;
/** Redis answers errors while the Sentinels promote the replica: a probe then means "not yet". */
const THROUGH_FAILOVER = { timeoutMs: 90_000, intervalMs: 50, retryOn: () => true };

describe('Redis behind Sentinels: the primary SIGKILLed mid-run, its replica promoted', function () {
  this.timeout(180_000);
  const prefix = uniquePrefix('sentinel-e2e');
  const orders = planOrders(2 * BATCH, prefix);
  let redis: RedisClient;
  let producer: Producer | undefined;
  let system: RunningSystem | undefined;

  // Registered before useSentinelInfra: mocha runs `after` hooks in order, so the system stops
  // before Redis does.
  after(async function () {
    this.timeout(60_000);
    await system?.stop();
    await producer?.disconnect().catch(() => undefined);
    redis?.disconnect();
  });
  const sentinel = useSentinelInfra();

  before(async function () {
    this.timeout(60_000);
    const { brokers } = infraEndpoints();
    const connection = loadConnectionConfig(
      {
        KAFKA_BROKERS: brokers.join(','),
        REDIS_SENTINELS: sentinel.sentinels.join(','),
        REDIS_SENTINEL_MASTER: SENTINEL_MASTER_NAME,
      },
      prefix,
    );
    expect(connection.redis.sentinels?.nodes).to.have.length(3);
    redis = createRedisClient(connection.redis);
    // The dying primary's errors are expected; ioredis reconnects and the test checks the outcome.
    redis.on('error', () => undefined);
    const kafka = new Kafka({ brokers, clientId: prefix, logLevel: logLevel.NOTHING });
    system = await startSystem(
      { kafka, brokers, redis, prefix },
      {
        // The shipped timings: a step must outlast the failover (docs/reliability.md).
        definitions: [createOrderSaga()],
        seed: {
          stock: { 'SKU-A': 100_000, 'SKU-B': 100_000, 'SKU-GONE': 0 },
          creditLimits: Object.fromEntries(
            orders.filter((o) => o.expected === 'declined').map((o) => [o.input.customerId, 0]),
          ),
          defaultCreditLimit: 1_000_000_000,
        },
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
  const allEnded = (batch: readonly PlannedOrder[]) =>
    eventually(
      `the ${batch.length} sagas of the batch to end`,
      async () => ((await endedOf(batch)) === batch.length ? true : undefined),
      THROUGH_FAILOVER,
    );

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

  it('completes a batch of order sagas as planned through the primary the Sentinels name', async () => {
    const batch = orders.slice(0, BATCH);
    await sendStartRequests(running().producer, prefix, batch);
    await allEnded(batch);
    await expectAsPlanned(batch);
    const [role] = (await running().system.redis.call('ROLE')) as [string];
    expect(role).to.equal('master');
  });

  it('ends every saga as planned when the primary is SIGKILLed mid-run and its replica promoted', async () => {
    const batch = orders.slice(BATCH);
    const [before, after] = [batch.slice(0, BATCH / 2), batch.slice(BATCH / 2)];
    const { producer } = running();
    await sendStartRequests(producer, prefix, before);
    await eventually(
      'a few sagas of the first half to end',
      async () => ((await endedOf(before)) >= 3 ? true : undefined),
      THROUGH_FAILOVER,
    );
    const killedAt = Date.now();
    await sentinel.killPrimary();
    await sendStartRequests(producer, prefix, after);
    const promoted = await sentinel.waitForPromotion();
    expect(promoted).to.equal(sentinel.primaryPort + 1);
    await eventually(
      'the first saga sent after the kill to end',
      async () => ((await endedOf(after)) >= 1 ? true : undefined),
      THROUGH_FAILOVER,
    );
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    console.log(`      primary killed → replica promoted → next saga ended: ${recoverySeconds} s`);
    await allEnded(batch);
    await expectAsPlanned(orders);
    // The client follows the Sentinels: it now talks to the promoted replica.
    const info = await running().system.redis.info('server');
    expect(info).to.match(new RegExp(`tcp_port:${promoted}\\b`));
  });
});
