/**
 * One example participant as its own process:
 *
 *   npm run participant -- inventory      (or payment, shipping)
 *
 * Configuration comes from the environment (see `config.ts`; the names are in
 * `orchestrator/config/env-spec.ts`). Prints one JSON line
 * `{"event":"ready",…}` on stdout once it has joined its consumer group; stops gracefully on
 * SIGTERM or SIGINT (finishes the batch in hand, commits, leaves the group). Exit codes: 0 after a
 * graceful stop, 1 when it could not start or stop, 2 for bad usage or configuration.
 *
 * With PARTICIPANT_METRICS_PORT set it serves `/metrics`, `/healthz` and `/readyz` there (see
 * `health-server.ts`), from the start of `start()` until the end of a graceful stop.
 */
import { topicNames } from '../wire/contract/index.js';
import { createRedisClient } from '../orchestrator/store/index.js';
import { createLogger, SCOPES } from '../wire/telemetry/index.js';
import { setupTelemetry, consumerLagSource } from '../orchestrator/telemetry/index.js';
import { createKafkaClient, ensureTopics } from '../wire/kafka/index.js';
import { ConfigError, EXAMPLE_NAMES, loadParticipantConfig, type ExampleName } from './config.js';
import {
  startHealthServer,
  type HealthServer,
  type ParticipantReadiness,
} from './health-server.js';
import {
  seedInventory,
  seedPayment,
  startInventoryParticipant,
  startPaymentParticipant,
  startShippingParticipant,
  type ExampleParticipantOptions,
} from './examples/index.js';
import { kafkaParticipantTransport, type RunningParticipant } from './sdk/index.js';
import { watchConnections, type ConnectionChecks } from './connection-checks.js';

const name = process.argv[2];
if (!EXAMPLE_NAMES.includes(name as ExampleName)) {
  console.error(`usage: npm run participant -- <${EXAMPLE_NAMES.join('|')}>`);
  process.exit(2);
}
const participant = name as ExampleName;

let config: ReturnType<typeof loadParticipantConfig>;
try {
  config = loadParticipantConfig(participant);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(2);
}

const logger = createLogger(`participant.${participant}`, { level: config.logLevel });
// URL, password and TLS as the orchestrator connects.
const redis = createRedisClient(config.redis, { lazyConnect: true });
redis.on('error', (error: unknown) => logger.warn('redis connection error', { error }));

let running: RunningParticipant | undefined;
let closeTransport: (() => Promise<void>) | undefined;
let health: HealthServer | undefined;
/** Set once the ready line is printed: `/readyz` says ready only from then on. */
let announced = false;
/** Set by the first SIGTERM or SIGINT. */
let stopping = false;
// Traces when the OTEL_* variables ask for them; metrics are served by the health server (on
// PARTICIPANT_METRICS_PORT when set), not by the exporter's own server, which has no probes.
const telemetry = setupTelemetry({
  serviceName: `saga-participant-${participant}`,
  logger: logger.child('telemetry'),
});
const kafkaClient = createKafkaClient({ ...config.kafka, logger: logger.child('kafka') });
const lagAdmin = kafkaClient.admin();
/** Redis and the broker, checked every second for `/readyz`. */
let connections: ConnectionChecks | undefined;

async function start(): Promise<void> {
  // First, so that /healthz answers (start-up probe) while Redis and Kafka are still awaited.
  if (config.metricsPort !== undefined) {
    health = await startHealthServer({
      port: config.metricsPort,
      metricsHandler: telemetry.metricsHandler,
      readiness,
    });
    logger.info('serving /metrics, /healthz and /readyz', { port: health.port });
  }
  await redis.connect();
  connections = watchConnections({ redis, kafka: kafkaClient });
  const { keyPrefix } = config;
  if (participant === 'inventory' && Object.keys(config.inventoryStock).length > 0) {
    await seedInventory(redis, { keyPrefix, stock: config.inventoryStock });
  }
  if (
    participant === 'payment' &&
    (Object.keys(config.paymentCreditLimits).length > 0 ||
      config.paymentDefaultCreditLimit !== undefined)
  ) {
    await seedPayment(redis, {
      keyPrefix,
      creditLimits: config.paymentCreditLimits,
      defaultCreditLimit: config.paymentDefaultCreditLimit,
    });
  }
  if (config.topics.create) await ensureParticipantTopics();
  const transport = await kafkaParticipantTransport({
    kafka: { ...config.kafka, logger: logger.child('kafka') },
    subscriber: config.subscriber,
    logger: logger.child('transport'),
  });
  closeTransport = () => transport.close();
  const options: ExampleParticipantOptions = {
    transport,
    redis,
    keyPrefix,
    topicPrefix: config.topicPrefix,
    groupId: config.groupId,
    claimLeaseMs: config.claimLeaseMs,
    ...(config.redis.replicaAcks ? { replicaAcks: config.redis.replicaAcks } : {}),
    retry: { maxTries: config.maxTries },
    logger,
    meter: telemetry.meterProvider.getMeter(SCOPES.participant),
    tracer: telemetry.tracerProvider.getTracer(SCOPES.participant),
  };
  running =
    participant === 'inventory'
      ? await startInventoryParticipant(options)
      : participant === 'payment'
        ? await startPaymentParticipant(options)
        : await startShippingParticipant({ ...options, ...config.shipping });
  await lagAdmin.connect();
  telemetry.observe({
    consumerLag: [
      consumerLagSource({
        admin: lagAdmin,
        groupId: running.groupId,
        topics: [running.commandTopic],
      }),
    ],
  });
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', participant, topic: running.commandTopic, groupId: running.groupId, pid: process.pid })}\n`,
  );
  announced = true;
}

/**
 * `/readyz`: ready once announced, while a member of the group, and while Redis and a broker
 * answered the latest check (as the orchestrator's).
 */
function readiness(): ParticipantReadiness {
  if (stopping) return { ready: false, reason: 'shutting down' };
  if (!running || !announced) {
    return { ready: false, reason: 'starting: not yet a member of its consumer group' };
  }
  const reachable = connections?.latest();
  if (!reachable?.kafkaBroker) return { ready: false, reason: 'no Kafka broker answers' };
  if (!reachable.redis) return { ready: false, reason: 'Redis does not answer' };
  if (!running.isJoined()) {
    return {
      ready: false,
      reason: `not a member of consumer group ${running.groupId} (rebalancing or reconnecting)`,
    };
  }
  return { ready: true, participant, groupId: running.groupId, topic: running.commandTopic };
}

/** Creates the command topic, replies and DLQ when missing (a running orchestrator may have). */
async function ensureParticipantTopics(): Promise<void> {
  const admin = createKafkaClient({ ...config.kafka, logger: logger.child('kafka') }).admin();
  await admin.connect();
  try {
    const names = topicNames(config.topicPrefix);
    await ensureTopics({
      admin,
      topics: [names.commands(participant), names.replies, names.dlq].map((topic) => ({
        topic,
        partitions: config.topics.partitions,
        replicationFactor: config.topics.replicationFactor,
      })),
      logger: logger.child('topics'),
    });
  } finally {
    await admin.disconnect();
  }
}

async function stop(signal: string): Promise<void> {
  if (stopping) {
    logger.warn('second signal: exiting now', { signal });
    process.exit(1);
  }
  stopping = true;
  health?.markStopping();
  logger.info('stopping', { signal });
  try {
    await running?.stop();
    await closeTransport?.();
    await health?.close();
    await telemetry.shutdown();
    await connections?.stop();
    await lagAdmin.disconnect();
    await redis.quit();
    process.exit(0);
  } catch (error) {
    logger.error('could not stop cleanly', { error });
    process.exit(1);
  }
}

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

try {
  await start();
} catch (error) {
  logger.error('could not start', { error });
  await running?.stop().catch(() => undefined);
  await closeTransport?.().catch(() => undefined);
  await health?.close().catch(() => undefined);
  await connections?.stop().catch(() => undefined);
  redis.disconnect();
  process.exit(1);
}
