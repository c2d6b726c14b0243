/**
 * A run of order sagas whose every outcome is known up front, for the end-to-end tests that
 * crash or stop the orchestrator process in the middle of it: the orders (a deterministic mix of
 * completed, out of stock and declined, decided by the participants' seeded state), the example
 * participants in this process, the start requests on `<prefix>.requests`, and progress read from
 * the store. `check-run.ts` checks the end state.
 */
import { expect } from 'chai';
import type { RedisClient } from '../../../orchestrator/store/index.js';
import type { Admin, Producer } from 'kafkajs';
import { sagaIdForKey } from '../../../orchestrator/runtime/saga-ids.js';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import {
  seedInventory,
  seedPayment,
  startExampleParticipants,
  type ExampleParticipants,
} from '../../../participants/examples/index.js';
import { createLogger, isLogLevel, silentLogger } from '../../../wire/telemetry/logger.js';
import { kafkaParticipantTransport } from '../../../participants/sdk/index.js';
import type { OrderInput } from '../../../sagas/order/index.js';
import type { SagaView } from '../../../orchestrator/api/index.js';
import { apiClient } from '../../support/api-client.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, type TestInfra } from '../../support/infra.js';
import {
  spawnOrchestrator,
  STORE_SHARDS,
  type OrchestratorProcess,
} from './orchestrator-process.js';

/** What an order ends as, by the participants' seeded state. */
export type Expected = 'completed' | 'out-of-stock' | 'declined';

export interface PlannedOrder {
  /** The start request's idempotency key (= the order id). */
  key: string;
  sagaId: string;
  input: OrderInput;
  expected: Expected;
}

/** Every tenth order out of stock, two in ten declined, the rest complete. */
const byPosition = (i: number): Expected =>
  i % 10 === 0 ? 'out-of-stock' : i % 10 === 3 || i % 10 === 7 ? 'declined' : 'completed';

/**
 * `count` orders: by default every tenth is out of stock (its SKU has none), two in ten are
 * declined (their customer has no credit), the rest complete; `outcomeOf` decides otherwise (e.g.
 * from a seed). Amounts stay below the approval threshold.
 */
export function planOrders(
  count: number,
  tag: string,
  outcomeOf: (index: number) => Expected = byPosition,
): PlannedOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const expected = outcomeOf(i);
    const key = `${tag}-o-${i}`;
    return {
      key,
      sagaId: sagaIdForKey('order', key),
      expected,
      input: {
        orderId: key,
        customerId: expected === 'declined' ? `broke-${i}` : `c-${i % 23}`,
        items: [
          { sku: expected === 'out-of-stock' ? 'SKU-GONE' : 'SKU-A', quantity: 1 + (i % 3) },
          { sku: 'SKU-B', quantity: 1 },
        ],
        amount: 10 + (i % 50),
        currency: 'EUR',
      },
    };
  });
}

export interface OrderParticipants {
  /** Key prefix of the participants' state (their invariants, ledgers). */
  readonly keyPrefix: string;
  readonly running: ExampleParticipants;
  stop(): Promise<void>;
}

/**
 * The participants' seeded state that decides each order's outcome: plenty of SKU-A and SKU-B,
 * no SKU-GONE, no credit for the declined orders' customers and ample credit for everyone else.
 */
export async function seedOrderParticipants(
  redis: RedisClient,
  keyPrefix: string,
  orders: readonly PlannedOrder[],
): Promise<void> {
  await seedInventory(redis, {
    stock: { 'SKU-A': 100_000, 'SKU-B': 100_000, 'SKU-GONE': 0 },
    keyPrefix,
  });
  await seedPayment(redis, {
    creditLimits: Object.fromEntries(
      orders.filter((o) => o.expected === 'declined').map((o) => [o.input.customerId, 0]),
    ),
    defaultCreditLimit: 1_000_000_000,
    keyPrefix,
  });
}

/**
 * Seeds stock and credit for `orders` and starts inventory, payment and shipping in this process
 * on `<prefix>.<participant>.commands` (the topics must exist: start the orchestrator first).
 */
export async function startOrderParticipants(
  infra: TestInfra,
  orders: readonly PlannedOrder[],
): Promise<OrderParticipants> {
  const keyPrefix = `${infra.prefix}:shop`;
  const redis = infra.redisConnection();
  await seedOrderParticipants(redis, keyPrefix, orders);
  // TEST_LOG_LEVEL=debug shows the participants' logs; they are silent otherwise.
  const level = process.env.TEST_LOG_LEVEL ?? '';
  const logger = isLogLevel(level) ? createLogger('participants', { level }) : silentLogger;
  const transport = await kafkaParticipantTransport({
    kafka: {
      brokers: infraEndpoints().brokers,
      clientId: `${infra.prefix}-participants`,
      logLevel: 'error',
    },
    logger,
    subscriber: {
      sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
      heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
      maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
      rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
      joinTimeoutMs: 45_000,
    },
  });
  const running = await startExampleParticipants({
    transport,
    redis,
    keyPrefix,
    topicPrefix: infra.prefix,
    logger,
  }).catch(async (error: unknown) => {
    await transport.close();
    throw error;
  });
  let stopped: Promise<void> | undefined;
  return {
    keyPrefix,
    running,
    stop: () =>
      (stopped ??= (async () => {
        await running.stop();
        await transport.close();
      })()),
  };
}

/** Publishes the start requests of `orders` on `<prefix>.requests`, keyed by their key. */
export async function sendStartRequests(
  producer: Producer,
  prefix: string,
  orders: readonly PlannedOrder[],
): Promise<void> {
  await producer.send({
    topic: `${prefix}.requests`,
    messages: orders.map((order) => ({
      key: order.key,
      value: JSON.stringify({ type: 'order', input: order.input, idempotencyKey: order.key }),
    })),
  });
}

/** POST /v1/sagas on the orchestrator at `apiUrl`, keyed by the order: 201 with the planned saga id. */
export async function startViaApi(apiUrl: string, order: PlannedOrder): Promise<void> {
  const response = await apiClient(apiUrl).post<SagaView>(
    '/v1/sagas',
    { type: 'order', input: order.input },
    { headers: { 'idempotency-key': order.key } },
  );
  expect(response.status, response.text).to.equal(201);
  expect(response.body.id).to.equal(order.sagaId);
}

/** The store the orchestrator processes write (same key prefix and shards), for reading. */
export function readerStore(redis: RedisClient, prefix: string): SagaStore {
  return createSagaStore({ redis, keyPrefix: prefix, shards: STORE_SHARDS });
}

export interface Progress {
  /** Sagas that exist and have ended. */
  ended: number;
  /** Sagas that exist and still run. */
  running: number;
  /** Sagas not created yet (their request not consumed yet). */
  missing: number;
}

export async function progressOf(
  store: SagaStore,
  orders: readonly PlannedOrder[],
): Promise<Progress> {
  const records = await store.loadMany(orders.map((o) => o.sagaId));
  const progress: Progress = { ended: 0, running: 0, missing: 0 };
  for (const record of records) {
    if (!record) progress.missing += 1;
    else if (record.status === 'running') progress.running += 1;
    else progress.ended += 1;
  }
  return progress;
}

/**
 * Replies on `<prefix>.replies` that the orchestrators' group has not committed yet: what a
 * killed instance leaves for the next one.
 */
export async function uncommittedReplies(admin: Admin, prefix: string): Promise<number> {
  const topic = `${prefix}.replies`;
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: `${prefix}.orchestrator`, topics: [topic] }),
  ]);
  return ends.reduce((sum, end) => {
    const done = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
    const from = done === '-1' ? Number(end.low) : Number(done);
    return sum + Number(end.high) - from;
  }, 0);
}

/** Starts the processes of a run and stops them after the file. */
export interface RunProcesses {
  /** Spawns an orchestrator process (`orchestrator/main.ts`) with `env`. */
  spawnOrchestrator(env: Record<string, string>): OrchestratorProcess;
  /** {@link startOrderParticipants}, stopped after the file too. */
  startParticipants(infra: TestInfra, orders: readonly PlannedOrder[]): Promise<OrderParticipants>;
}

/**
 * Call before `useInfra`: mocha runs `after` hooks in the order they were registered, so every
 * orchestrator process is killed (SIGKILL) and awaited, and the participants are stopped, before
 * the infrastructure helper closes the connections and deletes the file's topics and keys.
 */
export function useRunProcesses(): RunProcesses {
  const processes: OrchestratorProcess[] = [];
  const participants: OrderParticipants[] = [];
  after(async function () {
    this.timeout(60_000);
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    for (const p of participants) await p.stop();
  });
  return {
    spawnOrchestrator(env) {
      const p = spawnOrchestrator(env);
      processes.push(p);
      return p;
    },
    async startParticipants(infra, orders) {
      const started = await startOrderParticipants(infra, orders);
      participants.push(started);
      return started;
    },
  };
}
