/**
 * Faults of the infrastructure itself, on a Kafka broker and a Redis server of this file's own
 * (useFaultInfra), killed with SIGKILL and restarted on their data:
 *
 * - `/readyz` tells the truth, the orchestrator's and a participant process's alike: 503 within
 *   5 s of losing the broker or Redis, 200 once back;
 * - a step deadline does not count the outage: a saga started while the broker is down, whose
 *   deadline passes long before the broker is back, is not timed out — its command goes out when
 *   the broker returns and the saga completes on its first attempt.
 */
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient } from '../../support/api-client.js';
import { elapse, eventually, until } from '../../support/eventually.js';
import { useFaultInfra } from '../../support/fault-infra.js';
import { uniquePrefix } from '../../support/infra.js';
import { orderInput } from '../../support/orders.js';
import { startSystem, TEST_ORDER_TIMINGS, type RunningSystem } from '../../support/system.js';
import {
  spawnParticipant,
  useParticipantProcesses,
} from '../participants/support/participant-process.js';
import { freePort } from '../../support/free-port.js';

/** Far shorter than the outage below (a broker restart on its data takes 10 s and more here). */
const STEP_DEADLINE_MS = 3_000;

describe('faults: the broker or Redis goes away (own Kafka and Redis, killed and restarted)', function () {
  this.timeout(180_000);
  let redis: Redis | undefined;
  let system: RunningSystem | undefined;
  let readyz: () => Promise<number>;
  // Registered first so it runs first: the system stops while its broker and Redis still run.
  after(async function () {
    this.timeout(60_000);
    await system?.stop();
    redis?.disconnect();
  });
  const faults = useFaultInfra();
  const processes = useParticipantProcesses();
  let prefix = '';

  before(async function () {
    prefix = uniquePrefix('outages');
    redis = new Redis(faults.redisUrl, { maxRetriesPerRequest: null });
    const kafka = new Kafka({
      brokers: faults.brokers,
      clientId: prefix,
      logLevel: logLevel.NOTHING,
    });
    const running = await startSystem(
      { kafka, brokers: faults.brokers, redis, prefix },
      {
        definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs: STEP_DEADLINE_MS })],
        api: true,
      },
    );
    system = running;
    const api = apiClient(system.apiUrl);
    readyz = async () => (await api.get('/readyz')).status;
  });

  function sut(): RunningSystem {
    if (!system) throw new Error('the system did not start');
    return system;
  }

  async function readyWithin(status: number, timeoutMs: number): Promise<number> {
    const from = Date.now();
    await until(`/readyz to answer ${status}`, async () => (await readyz()) === status, {
      timeoutMs,
      intervalMs: 100,
    });
    return Date.now() - from;
  }

  /** A second inventory instance as its own process, serving /readyz on a port of its own. */
  async function participantProcess(): Promise<
    (status: number, timeoutMs: number) => Promise<number>
  > {
    const port = await freePort();
    const child = spawnParticipant('inventory', {
      KAFKA_BROKERS: faults.brokers.join(','),
      REDIS_URL: faults.redisUrl,
      SAGA_TOPIC_PREFIX: prefix,
      SAGA_CREATE_TOPICS: 'false',
      PARTICIPANT_KEY_PREFIX: sut().exampleKeyPrefix,
      PARTICIPANT_METRICS_PORT: String(port),
      LOG_LEVEL: 'error',
    });
    processes.push(child);
    await child.ready;
    return async (status, timeoutMs) => {
      const from = Date.now();
      await until(
        `the participant's /readyz to answer ${status}`,
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
            signal: AbortSignal.timeout(2_000),
          });
          return response.status === status;
        },
        { timeoutMs, intervalMs: 100 },
      );
      return Date.now() - from;
    };
  }

  it('answers /readyz 503 within 5 s of a broker kill; a deadline that passes meanwhile waits for it', async function () {
    await readyWithin(200, 30_000);
    const participantReadyWithin = await participantProcess();
    await participantReadyWithin(200, 30_000);
    const warmUp = await sut().orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (warmUp.status !== 'started') throw new Error(`warm-up saga: ${warmUp.status}`);
    await until('the warm-up saga to complete', async () => {
      return (await sut().orchestrator.store.load(warmUp.record.id))?.status === 'completed';
    });

    await faults.kill('kafka');
    const notReadyAfterMs = await readyWithin(503, 5_000);
    expect(notReadyAfterMs).to.be.at.most(5_000);
    expect(await participantReadyWithin(503, 5_000)).to.be.at.most(5_000);

    // Redis still answers, so the saga is written; its first command waits in the outbox.
    const started = await sut().orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(`saga: ${started.status}`);
    const armed = await sut().orchestrator.store.load(started.record.id);
    const deadline = Math.max(...(armed?.timers ?? []).map((t) => t.dueAt));
    expect(deadline).to.be.above(Date.now());
    // Past the deadline by several poll rounds, with the broker still down: nothing fires.
    await elapse(deadline - Date.now() + 1_000);
    const during = await sut().orchestrator.store.load(started.record.id);
    expect(during?.status).to.equal('running');
    expect(during?.revision).to.equal(armed?.revision);

    await faults.start('kafka');
    await readyWithin(200, 60_000);
    await participantReadyWithin(200, 60_000);
    const ended = await eventually(
      'the saga to end',
      async () => {
        const record = await sut().orchestrator.store.load(started.record.id);
        return record?.status === 'running' ? undefined : record;
      },
      60_000,
    );
    expect(ended.status).to.equal('completed');
    const history = await sut().orchestrator.store.history(started.record.id, { limit: 200 });
    const kinds = history.entries.map((entry) => JSON.stringify(entry));
    expect(kinds.filter((text) => /timeout|timed out|deadline/iu.test(text))).to.deep.equal([]);
    expect(await sut().invariantViolations()).to.deep.equal([]);
  });

  it('answers /readyz 503 within 5 s of a Redis kill, and 200 again once Redis is back', async function () {
    await readyWithin(200, 30_000);
    const participantReadyWithin = await participantProcess();
    await participantReadyWithin(200, 30_000);
    await faults.kill('redis');
    const notReadyAfterMs = await readyWithin(503, 5_000);
    expect(notReadyAfterMs).to.be.at.most(5_000);
    expect(await participantReadyWithin(503, 5_000)).to.be.at.most(5_000);
    await faults.start('redis');
    await readyWithin(200, 30_000);
    await participantReadyWithin(200, 30_000);
    // And it works again: a saga goes through end to end.
    const started = await sut().orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(`saga: ${started.status}`);
    await until('the saga to complete', async () => {
      return (await sut().orchestrator.store.load(started.record.id))?.status === 'completed';
    });
  });
});
