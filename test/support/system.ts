/**
 * The whole system in one process, on real Kafka and Redis: an orchestrator (with the test timings
 * of the brief), the example participants (inventory, payment, shipping) seeded with stock and
 * credit, and optionally the HTTP API on a random local port. For integration and end-to-end tests,
 * the 500-saga run, the demo and the benchmark.
 *
 * @example
 * describe('my feature', function () {
 *   const sut = useSystem('my-feature', { api: true });
 *   it('completes an order', async () => {
 *     const started = await sut.system.orchestrator.startSaga({ type: 'order', input: orderInput() });
 *     …
 *   });
 * });
 */
import type { Kafka } from 'kafkajs';
import type { RedisClient } from '../../orchestrator/store/index.js';
import type { ApiAppOptions } from '../../orchestrator/api/index.js';
import type { SagaDefinition } from '../../orchestrator/engine/types.js';
import type { OrchestratorTuning } from '../../orchestrator/runtime/orchestrator-options.js';
import type { Orchestrator } from '../../orchestrator/runtime/orchestrator.js';
import { createOrchestratorService } from '../../orchestrator/service/index.js';
import { createLogger, isLogLevel, silentLogger } from '../../wire/telemetry/logger.js';
import type { RuntimeHooks } from '../../orchestrator/telemetry/runtime-hooks.js';
import {
  checkExampleInvariants,
  seedInventory,
  seedPayment,
  startExampleParticipants,
  startInventoryParticipant,
  startPaymentParticipant,
  startShippingParticipant,
  type ExampleParticipantOptions,
  type ExampleParticipants,
  type ShippingBehaviour,
} from '../../participants/examples/index.js';
import {
  kafkaParticipantTransport,
  type KafkaParticipantTransport,
  type RunningParticipant,
} from '../../participants/sdk/index.js';
import { createOrderSaga, type OrderSagaOptions } from '../../sagas/order/index.js';
import { eventually } from './eventually.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, useInfra, type TestInfra } from './infra.js';

/**
 * Order saga timings for tests: deadlines short enough that a failure shows within seconds, long
 * enough that a loaded two-core machine does not time out a healthy step.
 */
export const TEST_ORDER_TIMINGS: OrderSagaOptions = {
  stepTimeoutMs: 6_000,
  retry: { maxAttempts: 3, backoff: { initialDelayMs: 100, maxDelayMs: 1_000 } },
  compensation: { timeoutMs: 3_000, maxAttempts: 2, backoff: { initialDelayMs: 100 } },
  approvalTimeoutMs: 10 * 60_000,
};

/** Stock and credit that let every ordinary test order complete. */
export const DEFAULT_SEED: NonNullable<SystemOptions['seed']> = {
  stock: { 'SKU-1': 10_000, 'SKU-2': 10_000, 'SKU-3': 10_000 },
  defaultCreditLimit: 10_000_000,
};

/** Orchestrator tuning for a single-node test broker (fast joins, fast timers). */
export const TEST_TUNING: OrchestratorTuning = {
  topicPartitions: 2,
  consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, maxWaitTimeMs: 100 },
  timerPollIntervalMs: 50,
};

export interface SystemOptions {
  /** @default [createOrderSaga(TEST_ORDER_TIMINGS)] */
  definitions?: SagaDefinition[];
  /** The version new sagas of a type start on, when not the newest (`OrchestratorOptions`). */
  startVersions?: Readonly<Record<string, string>>;
  /** Start the example participants in-process. @default true */
  participants?: boolean;
  shipping?: ShippingBehaviour;
  seed?: {
    stock?: Readonly<Record<string, number>>;
    creditLimits?: Readonly<Record<string, number>>;
    defaultCreditLimit?: number;
  };
  /** Serve the HTTP API on 127.0.0.1, on a random port. @default false */
  api?: boolean | Omit<ApiAppOptions, 'orchestrator'>;
  tuning?: OrchestratorTuning;
  /** What the runtime tells telemetry (tests observe ignored inputs, steps, …). */
  hooks?: RuntimeHooks;
}

/** Test-friendly consumer timings in the transport's option names. */
export const FAST_CONSUMER = {
  sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
  heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
  rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
  maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
} as const;

export interface SystemConnections {
  kafka: Kafka;
  brokers: string[];
  redis: RedisClient;
  /** Topic prefix and Redis key prefix of everything this system makes. */
  prefix: string;
}

export interface RunningSystem {
  readonly orchestrator: Orchestrator;
  /** The running example participants (undefined when not started or stopped). */
  readonly participants: ExampleParticipants | undefined;
  /** What each example participant was started with (to start one again by hand). */
  readonly participantOptions: ExampleParticipantOptions;
  /** Key prefix of the example participants' state (for their invariants). */
  readonly exampleKeyPrefix: string;
  /** The system's Redis connection (participants' state, the store). */
  readonly redis: RedisClient;
  /** The example participants' invariant violations (empty when all hold). */
  invariantViolations(): Promise<string[]>;
  /** Resolves once the saga exists (a start request on the topic takes a moment). */
  sagaExists(sagaId: string, timeoutMs?: number): Promise<void>;
  /** `http://127.0.0.1:<port>` when the API is served. */
  readonly apiUrl: string | undefined;
  startParticipants(): Promise<ExampleParticipants>;
  /** Stops every example participant, those started again one by one included. */
  stopParticipants(): Promise<void>;
  /**
   * Starts one example participant again (after `participants.<name>.stop()`, say); it is stopped
   * with the others.
   */
  startParticipantAgain(name: ExampleName): Promise<RunningParticipant>;
  stop(): Promise<void>;
}

/** `TEST_LOG_LEVEL=debug` shows the orchestrator's and participants' logs; silent otherwise. */
function testLogger(namespace: string) {
  const level = process.env.TEST_LOG_LEVEL ?? '';
  return isLogLevel(level) ? createLogger(namespace, { level }) : silentLogger;
}

/** Starts the system (not tied to mocha); `stop()` undoes everything but the connections. */
export async function startSystem(
  connections: SystemConnections,
  options: SystemOptions = {},
): Promise<RunningSystem> {
  const { kafka, brokers, redis, prefix } = connections;
  const exampleKeyPrefix = `${prefix}:shop`;
  const seed = options.seed ?? DEFAULT_SEED;
  await seedInventory(redis, { stock: seed.stock ?? {}, keyPrefix: exampleKeyPrefix });
  await seedPayment(redis, {
    creditLimits: seed.creditLimits ?? {},
    ...(seed.defaultCreditLimit !== undefined
      ? { defaultCreditLimit: seed.defaultCreditLimit }
      : {}),
    keyPrefix: exampleKeyPrefix,
  });

  const service = createOrchestratorService({
    definitions: options.definitions ?? [createOrderSaga(TEST_ORDER_TIMINGS)],
    ...(options.startVersions ? { startVersions: options.startVersions } : {}),
    redis,
    kafka,
    topicPrefix: prefix,
    store: { keyPrefix: prefix, shards: 4 },
    logger: testLogger('orchestrator'),
    // Telemetry would register process-wide providers; tests that need it pass its hooks.
    telemetry: false,
    ...(options.hooks ? { hooks: options.hooks } : {}),
    tuning: { ...TEST_TUNING, ...options.tuning },
    ...(options.api
      ? {
          api: {
            port: 0,
            host: '127.0.0.1',
            logger: testLogger('api'),
            ...(options.api === true ? {} : options.api),
          },
        }
      : {}),
  });
  const { orchestrator } = service;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => undefined);
    }
  };

  try {
    // The API (when served) listens before the orchestrator consumes, as in production.
    await service.start();
    cleanups.push(() => service.stop());

    let transport: KafkaParticipantTransport | undefined;
    let participants: ExampleParticipants | undefined;
    const participantLogger = testLogger('participants');
    const participantOptions: ExampleParticipantOptions = {
      get transport() {
        if (!transport) throw new Error('the participant transport is not connected');
        return transport;
      },
      redis,
      keyPrefix: exampleKeyPrefix,
      topicPrefix: prefix,
      logger: participantLogger,
    };
    const connectTransport = async () =>
      (transport ??= await kafkaParticipantTransport({
        kafka: { brokers, clientId: `${prefix}-participants`, logLevel: 'error' },
        subscriber: {
          sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
          heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
          maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
          rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
          joinTimeoutMs: 45_000,
        },
        logger: participantLogger,
      }));
    const startParticipants = async () => {
      const connected = await connectTransport();
      participants ??= await startExampleParticipants({
        ...participantOptions,
        transport: connected,
        ...(options.shipping ? { shipping: options.shipping } : {}),
      });
      return participants;
    };
    const restarted: RunningParticipant[] = [];
    const stopParticipants = async () => {
      const running = participants;
      participants = undefined;
      await Promise.all([running?.stop(), ...restarted.splice(0).map((p) => p.stop())]);
    };
    const startParticipantAgain = async (name: ExampleName) => {
      await connectTransport();
      const again = await startOne[name]({
        ...participantOptions,
        ...(name === 'shipping' ? options.shipping : {}),
      });
      restarted.push(again);
      return again;
    };
    cleanups.push(async () => {
      await stopParticipants();
      await transport?.close();
    });
    if (options.participants ?? true) await startParticipants();

    return {
      orchestrator,
      get participants() {
        return participants;
      },
      participantOptions,
      exampleKeyPrefix,
      redis,
      invariantViolations: () => checkExampleInvariants(redis, { keyPrefix: exampleKeyPrefix }),
      async sagaExists(sagaId, timeoutMs = 60_000) {
        await eventually(`saga ${sagaId} to appear`, () => orchestrator.store.load(sagaId), {
          timeoutMs,
          intervalMs: 50,
        });
      },
      apiUrl: service.apiUrl,
      startParticipants,
      stopParticipants,
      startParticipantAgain,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type ExampleName = 'inventory' | 'payment' | 'shipping';

const startOne: Record<
  ExampleName,
  (options: ExampleParticipantOptions & ShippingBehaviour) => Promise<RunningParticipant>
> = {
  inventory: startInventoryParticipant,
  payment: startPaymentParticipant,
  shipping: startShippingParticipant,
};

export interface SystemHandle {
  readonly infra: TestInfra;
  /** The running system (from the `before` hook on). */
  readonly system: RunningSystem;
}

/**
 * Registers before/after hooks in the current `describe`: real Kafka and Redis under a unique
 * prefix (see `useInfra`), the system started before the tests and stopped after them.
 */
export function useSystem(name: string, options: SystemOptions = {}): SystemHandle {
  let system: RunningSystem | undefined;
  // Mocha runs `after` hooks in the order they were registered: stop the system before useInfra
  // deletes the topics and closes the connections it runs on.
  after(async function () {
    this.timeout(60_000);
    await system?.stop();
  });
  const infra = useInfra(name);
  before(async function () {
    this.timeout(120_000);
    system = await startSystem(
      {
        kafka: infra.kafka,
        brokers: infraEndpoints().brokers,
        redis: infra.redis,
        prefix: infra.prefix,
      },
      options,
    );
  });
  return {
    infra,
    get system() {
      if (!system) throw new Error('the system is started in before()');
      return system;
    },
  };
}
