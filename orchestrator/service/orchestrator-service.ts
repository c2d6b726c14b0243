/**
 * The one way to assemble an orchestrator service, shared by the process (`orchestrator/main.ts`),
 * the tests, the demo and the benchmark: the Kafka and Redis clients, telemetry, the runtime fed
 * the telemetry's hooks, the HTTP API serving `/metrics`, the consumer-lag admin behind the
 * gauges, and the order in which they start and stop. Callers keep only what is theirs (the
 * definitions, prefixes, tuning, extra hooks, where the API listens).
 *
 * @example
 * const service = createOrchestratorService({
 *   definitions,
 *   redis: { connect: config.redis },
 *   kafka: { connect: { brokers: config.kafka.brokers } },
 *   api: { port: 8080 },
 * });
 * await service.start();
 * …
 * await service.stop();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Admin, Kafka } from 'kafkajs';
import { createApiApp, type ApiApp, type ApiAppOptions } from '../api/index.js';
import type { RedisConnectionConfig } from '../config/index.js';
import type { SagaDefinition } from '../engine/index.js';
import {
  createOrchestrator,
  type Orchestrator,
  type OrchestratorOptions,
} from '../runtime/index.js';
import { createRedisClient, type RedisClient } from '../store/index.js';
import {
  orchestratorGaugeSources,
  setupTelemetry,
  silentLogger,
  type Logger,
  type RuntimeHooks,
  type Telemetry,
  type TelemetryOptions,
} from '../telemetry/index.js';
import { createKafkaClient, type KafkaOptions } from '../../wire/kafka/index.js';
import { bothHooks } from './both-hooks.js';

export interface OrchestratorServiceApiOptions extends Omit<
  ApiAppOptions,
  'orchestrator' | 'metricsHandler'
> {
  /** `0` takes a free port (see {@link OrchestratorService.apiUrl}). */
  port: number;
  /** @default all interfaces */
  host?: string;
  /**
   * Called when `port` is taken; the API then listens on a free port instead. Without it, a
   * taken port fails `start()`.
   */
  onPortBusy?: (port: number) => void;
}

export interface OrchestratorServiceOptions {
  definitions: readonly SagaDefinition[];
  /** The version new sagas of a type start on where it is not the newest (`OrchestratorOptions`). */
  startVersions?: OrchestratorOptions['startVersions'];
  /**
   * The store's connection: a client the caller made (and closes), or what to make one from (the
   * service then closes it on `stop()`).
   */
  redis: RedisClient | { connect: RedisConnectionConfig };
  /**
   * The kafkajs client: one the caller made, or the options to make one from (its kafkajs lines
   * go to the logger's `kafka` child).
   */
  kafka: Kafka | { connect: KafkaOptions };
  /** Topic prefix; also the store's key prefix unless `store.keyPrefix` says otherwise. */
  topicPrefix?: string;
  store?: OrchestratorOptions['store'];
  tuning?: OrchestratorOptions['tuning'];
  /** Hooks of the caller's own, called after the telemetry's. */
  hooks?: RuntimeHooks;
  /**
   * Telemetry set up with these options (the service adds the definitions and its logger's
   * `telemetry` child), and with it the gauges fed by a consumer-lag admin; `false` for none.
   * @default { serviceName: 'saga-orchestrator' } (traces as the `OTEL_*` variables say)
   */
  telemetry?: Omit<TelemetryOptions, 'definitions'> | false;
  /** Serve the HTTP API (with `/metrics` when telemetry is on); not served when absent. */
  api?: OrchestratorServiceApiOptions;
  /**
   * The runtime's logger; the Kafka client it makes, telemetry and the API log to its children.
   * @default silentLogger
   */
  logger?: Logger;
}

export interface OrchestratorService {
  readonly orchestrator: Orchestrator;
  readonly redis: RedisClient;
  readonly kafka: Kafka;
  /** Undefined when the options turned telemetry off. */
  readonly telemetry: Telemetry | undefined;
  /** Undefined when the API is not served. */
  readonly app: ApiApp | undefined;
  /** The listening server, from `start()` on. */
  readonly server: Server | undefined;
  /** The port the API listens on, once it listens. */
  readonly port: number | undefined;
  /** `http://127.0.0.1:<port>` of the API once it listens. */
  readonly apiUrl: string | undefined;
  /**
   * The API listens first (so `/healthz` answers and `/readyz` says 503 until the consumers have
   * joined), then the orchestrator consumes, then the gauges are observed. On failure it stops
   * what it started and throws.
   */
  start(): Promise<void>;
  /**
   * Stops what `start()` started, gracefully: the API takes no new connection (requests in hand
   * go on), the orchestrator stops (the batch in hand finishes and commits, the outbox is
   * published, the shards are handed back), the API's last connections close, then telemetry, the
   * lag admin and the Redis client the service made. A failing step is logged and the next one
   * runs. Stopping twice does nothing more.
   */
  stop(): Promise<void>;
}

/** Assembles an orchestrator service; nothing connects before `start()`. */
export function createOrchestratorService(
  options: OrchestratorServiceOptions,
): OrchestratorService {
  const logger = options.logger ?? silentLogger;
  const definitions = [...options.definitions];
  const redisToMake = connectOptionsOf<RedisConnectionConfig>(options.redis);
  const ownsRedis = redisToMake !== undefined;
  const redis = redisToMake ? ownRedis(redisToMake, logger) : (options.redis as RedisClient);
  const kafkaToMake = connectOptionsOf<KafkaOptions>(options.kafka);
  const kafka = kafkaToMake
    ? createKafkaClient({ ...kafkaToMake, logger: logger.child('kafka') })
    : (options.kafka as Kafka);

  const telemetry =
    options.telemetry === false
      ? undefined
      : setupTelemetry({
          serviceName: 'saga-orchestrator',
          logger: logger.child('telemetry'),
          ...options.telemetry,
          definitions,
        });
  const hooks = bothHooks(telemetry?.hooks, options.hooks);
  const orchestrator = createOrchestrator({
    definitions,
    redis,
    kafka,
    ...(options.topicPrefix !== undefined ? { topicPrefix: options.topicPrefix } : {}),
    ...(options.startVersions ? { startVersions: options.startVersions } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(hooks ? { hooks } : {}),
    logger,
  });
  const app = options.api
    ? createApiApp({
        logger: logger.child('api'),
        metricsHandler: telemetry?.metricsHandler,
        ...apiAppOptionsOf(options.api),
        orchestrator,
      })
    : undefined;

  let server: Server | undefined;
  let started: Started = {};
  const step = async (name: string, run: () => Promise<unknown>) => {
    await run().catch((error: unknown) => logger.warn(`stop: ${name} failed`, { error }));
  };
  const stop = async () => {
    const { listening, consuming, admin } = started;
    started = {};
    // Stop taking requests first; those in hand may still read the orchestrator while it stops.
    const closed = listening
      ? new Promise((resolve) => {
          listening.close(resolve);
          listening.closeIdleConnections();
        })
      : undefined;
    if (consuming) await step('orchestrator', () => orchestrator.stop());
    if (listening) {
      listening.closeAllConnections();
      await step('api', () => closed as Promise<unknown>);
    }
    if (telemetry) await step('telemetry', () => telemetry.shutdown());
    if (admin) await step('lag admin', () => admin.disconnect());
    if (ownsRedis) await step('redis', () => redis.quit());
  };

  return {
    orchestrator,
    redis,
    kafka,
    telemetry,
    app,
    get server() {
      return server;
    },
    get port() {
      return server ? (server.address() as AddressInfo).port : undefined;
    },
    get apiUrl() {
      return server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : undefined;
    },
    async start() {
      try {
        if (app && options.api) {
          server = await listenOn(app, options.api);
          started.listening = server;
        }
        await orchestrator.start();
        started.consuming = true;
        if (telemetry) {
          const admin = kafka.admin();
          await admin.connect();
          started.admin = admin;
          telemetry.observe(orchestratorGaugeSources({ orchestrator, redis, admin }));
        }
      } catch (error) {
        await stop();
        throw error;
      }
    },
    stop,
  };
}

/** What `start()` got to, so that `stop()` undoes exactly that. */
interface Started {
  listening?: Server;
  consuming?: boolean;
  admin?: Admin;
}

/** The options of `{ connect: … }`; undefined for a client (an ioredis client's `connect` is a method). */
function connectOptionsOf<C extends object>(value: object | { connect: C }): C | undefined {
  const connect = (value as { connect?: unknown }).connect;
  return typeof connect === 'object' && connect !== null ? (connect as C) : undefined;
}

/** A client the service made: its connection errors are logged; it quits last on stop. */
function ownRedis(config: RedisConnectionConfig, logger: Logger): RedisClient {
  const redis = createRedisClient(config);
  redis.on('error', (error: unknown) => logger.warn('redis connection error', { error }));
  return redis;
}

function apiAppOptionsOf(api: OrchestratorServiceApiOptions): Omit<ApiAppOptions, 'orchestrator'> {
  const { port: _port, host: _host, onPortBusy: _onPortBusy, ...appOptions } = api;
  return appOptions;
}

async function listenOn(app: ApiApp, api: OrchestratorServiceApiOptions): Promise<Server> {
  try {
    return await listen(app, api.port, api.host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !api.onPortBusy) throw error;
    api.onPortBusy(api.port);
    return listen(app, 0, api.host);
  }
}

function listen(app: ApiApp, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = host === undefined ? app.listen(port) : app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
