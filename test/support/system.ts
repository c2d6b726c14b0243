/**
 * A whole saga system in the test process, on the real Kafka and Redis of `useInfra()`: the
 * orchestrator (its own topic and key prefixes) and, optionally, the example participants
 * (inventory, payment, shipping) with their state in Redis. Timings are turned down so a test's
 * sagas finish in seconds.
 *
 * @example
 * const infra = useInfra('orders');
 * let system: TestSystem;
 * before(async () => { system = await startSystem(infra, { stock: { 'SKU-1': 10 } }); });
 * // stopped with the file's cleanup (before its connections close), or earlier with stop()
 */
import type { Redis } from 'ioredis';
import { orderSaga } from '../../sagas/order/index.js';
import type { SagaDefinition } from '../../orchestrator/engine/types.js';
import { createOrchestrator, type Orchestrator } from '../../orchestrator/runtime/orchestrator.js';
import type { OrchestratorTuning } from '../../orchestrator/runtime/orchestrator-options.js';
import type { RuntimeHooks } from '../../orchestrator/telemetry/runtime-hooks.js';
import { createLogger, type Logger } from '../../orchestrator/telemetry/logger.js';
import { createKafkaClient } from '../../orchestrator/transport/kafka/index.js';
import {
  checkExampleInvariants,
  seedInventory,
  seedPayment,
  startExampleParticipants,
  type ExampleParticipants,
  type ShippingBehaviour,
} from '../../participants/examples/index.js';
import {
  kafkaParticipantTransport,
  type KafkaParticipantTransport,
} from '../../participants/sdk/index.js';
import { TEST_CONSUMER_TIMINGS, infraEndpoints, type TestInfra } from './infra.js';

export interface SystemOptions {
  definitions?: SagaDefinition[];
  /** Start the example participants (default true). */
  participants?: boolean;
  stock?: Record<string, number>;
  creditLimits?: Record<string, number>;
  defaultCreditLimit?: number;
  shipping?: ShippingBehaviour;
  tuning?: OrchestratorTuning;
  hooks?: RuntimeHooks;
  /** Store shards (default 4). */
  shards?: number;
}

export interface TestSystem {
  orchestrator: Orchestrator;
  /** Present unless started with `participants: false`. */
  participants?: ExampleParticipants;
  /** The example participants' key prefix (their state and ledgers). */
  exampleKeyPrefix: string;
  redis: Redis;
  /** Starts the example participants (again) on the system's transport. */
  startParticipants(shipping?: ShippingBehaviour): Promise<ExampleParticipants>;
  invariantViolations(): Promise<string[]>;
  /** Resolves once the saga exists (a start request on the topic takes a moment). */
  sagaExists(sagaId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Test-friendly consumer timings in the transport's option names. */
export const FAST_CONSUMER = {
  sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
  heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
  rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
  maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
} as const;

function testLogger(namespace: string): Logger {
  // Quiet unless asked: tests assert on outcomes. SYSTEM_LOG_LEVEL=info shows the services' logs.
  const level = process.env.SYSTEM_LOG_LEVEL;
  return createLogger(namespace, {
    level: level === 'debug' || level === 'info' || level === 'warn' ? level : 'error',
  });
}

export async function startSystem(
  infra: TestInfra,
  options: SystemOptions = {},
): Promise<TestSystem> {
  const { brokers } = infraEndpoints();
  const redis = infra.redisConnection();
  const exampleKeyPrefix = `${infra.prefix}-ex`;
  const logger = testLogger('test-system');
  const kafka = createKafkaClient({ brokers, clientId: `${infra.prefix}-orchestrator`, logger });
  const orchestrator = createOrchestrator({
    definitions: options.definitions ?? [orderSaga],
    redis,
    kafka,
    topicPrefix: infra.prefix,
    store: { keyPrefix: infra.prefix, shards: options.shards ?? 4 },
    logger: logger.child('orchestrator'),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    tuning: {
      topicPartitions: 4,
      topicReplicationFactor: 1,
      consumer: FAST_CONSUMER,
      timerPollIntervalMs: 50,
      shardLeaseTtlMs: 3_000,
      ...options.tuning,
    },
  });
  await orchestrator.start();

  let transport: KafkaParticipantTransport | undefined;
  let participants: ExampleParticipants | undefined;
  const startParticipants = async (shipping = options.shipping) => {
    transport ??= await kafkaParticipantTransport({
      kafka: { brokers, clientId: `${infra.prefix}-participants` },
      subscriber: FAST_CONSUMER,
      logger: logger.child('participants'),
    });
    participants = await startExampleParticipants({
      transport,
      redis,
      keyPrefix: exampleKeyPrefix,
      topicPrefix: infra.prefix,
      logger: logger.child('participants'),
      ...(shipping ? { shipping } : {}),
    });
    return participants;
  };

  if (options.stock)
    await seedInventory(redis, { keyPrefix: exampleKeyPrefix, stock: options.stock });
  if (options.creditLimits || options.defaultCreditLimit !== undefined) {
    await seedPayment(redis, {
      keyPrefix: exampleKeyPrefix,
      creditLimits: options.creditLimits ?? {},
      ...(options.defaultCreditLimit !== undefined
        ? { defaultCreditLimit: options.defaultCreditLimit }
        : {}),
    });
  }
  if (options.participants !== false) await startParticipants();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await participants?.stop();
      await transport?.close();
      await orchestrator.stop();
    })());
  // Stop with the file even when a test forgets to, while Redis and Kafka clients still work.
  infra.addCleanup(stop);

  return {
    orchestrator,
    get participants() {
      return participants;
    },
    exampleKeyPrefix,
    redis,
    startParticipants,
    invariantViolations: () => checkExampleInvariants(redis, { keyPrefix: exampleKeyPrefix }),
    async sagaExists(sagaId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await orchestrator.store.load(sagaId))) {
        if (Date.now() > deadline)
          throw new Error(`saga ${sagaId} did not appear in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop,
  };
}
