/**
 * What the demo runs, in this one process, wired as `orchestrator/main.ts` wires the service: the
 * orchestrator with its HTTP API (health, /metrics, OpenAPI) and telemetry, and the three example
 * participants (inventory, payment, shipping) seeded with the shop's stock and credit. Everything
 * lives under the run's prefix: topics `<prefix>.*`, keys `<prefix>:*`.
 */
import type { RedisClient } from '../../orchestrator/store/index.js';
import type { ConnectionConfig } from '../../orchestrator/config/load-config.js';
import type { Orchestrator } from '../../orchestrator/runtime/orchestrator.js';
import { createOrchestratorService } from '../../orchestrator/service/index.js';
import { createRedisClient } from '../../orchestrator/store/index.js';
import type { Telemetry } from '../../orchestrator/telemetry/index.js';
import type { Logger } from '../../wire/telemetry/logger.js';
import { SCOPES } from '../../wire/telemetry/metric-names.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { participantsOf } from '../../orchestrator/runtime/orchestrator-options.js';
import {
  contractTopicSpecs,
  createKafkaClient,
  ensureTopics,
  type KafkaOptions,
} from '../../wire/kafka/index.js';
import {
  checkExampleInvariants,
  seedInventory,
  seedPayment,
  startExampleParticipants,
  startShippingParticipant,
  type ExampleParticipants,
  type ShippingBehaviour,
} from '../../participants/examples/index.js';
import {
  kafkaParticipantTransport,
  type KafkaParticipantTransport,
} from '../../participants/sdk/index.js';
import { createOrderSaga, type OrderSagaOptions } from '../../sagas/order/index.js';
import type { Shop } from './shop.js';

/**
 * The order saga's timings in the demo: deadlines short enough that a slow call shows as a
 * timeout and a retry within seconds, long enough that a healthy step on a busy two-core laptop
 * does not time out.
 */
export const DEMO_ORDER_TIMINGS = {
  stepTimeoutMs: 2_500,
  retry: { maxAttempts: 3, backoff: { initialDelayMs: 200, maxDelayMs: 1_000 } },
  compensation: { timeoutMs: 2_500, maxAttempts: 5, backoff: { initialDelayMs: 200 } },
  approvalThreshold: 2_000,
  // The demo's operator decides within a second or two; this only ends a saga it missed.
  approvalTimeoutMs: 60_000,
} as const satisfies OrderSagaOptions;

/** Shipping: a few confirms take longer than the step's deadline (a timeout, then a retry). */
export function demoShipping(seed: string, slowRate: number): ShippingBehaviour {
  return {
    slowRate,
    slowDelayMs: DEMO_ORDER_TIMINGS.stepTimeoutMs + 1_500,
    failureSeed: seed,
  };
}

/** Partitions of the run's topics; participants consume all of them at once. */
const PARTITIONS = 6;
/**
 * Shipping instances, one per partition. A participant's consumer fetches again only when every
 * batch of its last fetch is done (kafkajs), so one slow confirm holds up every partition of its
 * instance until the command's deadline; with one partition per instance it holds up only its own.
 */
export const SHIPPING_INSTANCES = PARTITIONS;

/** Consumer timings for a one-broker local cluster: quick joins, short fetch waits. */
const CONSUMER = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000, maxWaitTimeMs: 100 };

export interface DemoSystemOptions {
  prefix: string;
  connection: ConnectionConfig;
  httpPort: number;
  apiToken: string | undefined;
  shop: Shop;
  shipping: ShippingBehaviour;
  logger: Logger;
  /** The participants' logger (the demo keeps it quieter than the orchestrator's). */
  participantLogger: Logger;
  /**
   * Show kafkajs' own lines of the participants' client. Off by default: joining six shipping
   * instances to one group rebalances it a few times, and kafkajs logs each heartbeat refused
   * meanwhile as an error.
   */
  verbose: boolean;
  /** Said before the system takes a free port because `httpPort` is busy. */
  onPortBusy(port: number): void;
}

export interface DemoSystem {
  readonly orchestrator: Orchestrator;
  readonly redis: RedisClient;
  /** `http://127.0.0.1:<port>` */
  readonly apiUrl: string;
  readonly port: number;
  /** Key prefix of the example participants' state. */
  readonly shopKeyPrefix: string;
  readonly kafka: KafkaOptions;
  invariantViolations(): Promise<string[]>;
  /** Stops everything it started, in reverse order; the infrastructure keeps running. */
  stop(): Promise<void>;
}

export async function startDemoSystem(options: DemoSystemOptions): Promise<DemoSystem> {
  const { prefix, connection, logger, shop } = options;
  const shopKeyPrefix = `${prefix}:shop`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.warn('stop step failed', { error }));
    }
  };

  const kafkaOptions = kafkaOptionsOf(connection);
  // One Redis client for the orchestrator's store and the shop's state; it quits last.
  const redis = createRedisClient(connection.redis);
  redis.on('error', (error: unknown) => logger.warn('redis connection error', { error }));
  cleanups.push(() => redis.quit());
  const definitions = [createOrderSaga(DEMO_ORDER_TIMINGS)];
  // Wired as orchestrator/main.ts wires the service.
  const service = createOrchestratorService({
    definitions,
    redis,
    kafka: { connect: kafkaOptions },
    topicPrefix: prefix,
    store: { keyPrefix: prefix, shards: 8 },
    logger: logger.child('orchestrator'),
    tuning: { topicPartitions: PARTITIONS, consumer: CONSUMER, timerPollIntervalMs: 50 },
    api: {
      port: options.httpPort,
      apiToken: options.apiToken,
      onPortBusy: (port) => options.onPortBusy(port),
    },
  });
  cleanups.push(() => service.stop());
  const { orchestrator } = service;
  // On: the options leave telemetry at its default.
  const telemetry = service.telemetry as Telemetry;

  try {
    await seedInventory(redis, { stock: shop.stock, keyPrefix: shopKeyPrefix });
    await seedPayment(redis, {
      creditLimits: shop.creditLimits,
      defaultCreditLimit: shop.defaultCreditLimit,
      keyPrefix: shopKeyPrefix,
    });

    // A client of its own whose kafkajs lines stay quiet: the refusals it retries are expected.
    const topicsClient = createKafkaClient({ ...kafkaOptions, logLevel: 'silent' });
    await createRunTopics(topicsClient, prefix, participantsOf(definitions), logger);
    await service.start();
    const port = service.port as number;

    const participantLogger = options.participantLogger;
    const transport: KafkaParticipantTransport = await kafkaParticipantTransport({
      kafka: {
        ...kafkaOptions,
        clientId: `${prefix}-participants`,
        logger: participantLogger.child('kafka'),
        logLevel: options.verbose ? 'warn' : 'silent',
      },
      subscriber: { ...CONSUMER, joinTimeoutMs: 60_000 },
      logger: participantLogger,
    });
    cleanups.push(() => transport.close());
    const participantOptions = {
      transport,
      redis,
      keyPrefix: shopKeyPrefix,
      topicPrefix: prefix,
      logger: participantLogger,
      partitionsConsumedConcurrently: PARTITIONS,
      meter: telemetry.meterProvider.getMeter(SCOPES.participant),
      tracer: telemetry.tracerProvider.getTracer(SCOPES.participant),
    };
    const participants: ExampleParticipants = await startExampleParticipants({
      ...participantOptions,
      shipping: options.shipping,
    });
    cleanups.push(() => participants.stop());
    // The other shipping instances, in the same consumer group (see SHIPPING_INSTANCES).
    for (let i = 1; i < SHIPPING_INSTANCES; i++) {
      const another = await startShippingParticipant({
        ...participantOptions,
        ...options.shipping,
      });
      cleanups.push(() => another.stop());
    }

    return {
      orchestrator,
      redis,
      apiUrl: service.apiUrl as string,
      port,
      shopKeyPrefix,
      kafka: kafkaOptions,
      invariantViolations: () => checkExampleInvariants(redis, { keyPrefix: shopKeyPrefix }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Creates the run's topics before the orchestrator starts, trying again on a transient refusal:
 * right after a topic is created (all the more while older runs' topics are being deleted) the
 * broker may answer the creation's metadata check with "does not host this topic-partition",
 * which kafkajs does not retry. The orchestrator then finds them made.
 */
async function createRunTopics(
  kafka: Kafka,
  prefix: string,
  participants: string[],
  logger: Logger,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = contractTopicSpecs({ prefix, participants, partitions: PARTITIONS });
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureTopics({ admin, topics, logger: logger.child('topics') });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        logger.info('creating the run topics: trying again', { attempt, error });
        await sleep(500 * attempt);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** The kafkajs options of the configured connection (brokers, client id, SASL, TLS). */
export function kafkaOptionsOf(connection: ConnectionConfig): KafkaOptions {
  return {
    brokers: connection.kafka.brokers,
    clientId: connection.kafka.clientId,
    ...(connection.kafka.sasl ? { sasl: connection.kafka.sasl } : {}),
    ...(connection.kafka.tls ? { tls: withoutUndefined(connection.kafka.tls) } : {}),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
