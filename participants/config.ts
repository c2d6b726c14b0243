/**
 * The participant process's configuration, read from the environment in this one place and
 * checked at start-up: every problem is reported at once, naming the variable.
 *
 * The names live in the project's one table, `orchestrator/config/env-spec.ts`: what every
 * process shares (`connectionEnvSpec`: KAFKA_BROKERS, KAFKA_CLIENT_ID, Kafka SASL and TLS,
 * REDIS_URL or REDIS_CLUSTER_NODES, REDIS_PASSWORD, Redis TLS, SAGA_TOPIC_PREFIX, LOG_LEVEL) and what a participant reads
 * beyond it (`participantEnvSpec`: SAGA_TOPIC_PARTITIONS, SAGA_TOPIC_REPLICATION_FACTOR,
 * SAGA_CREATE_TOPICS, PARTICIPANT_*, KAFKA_SESSION_TIMEOUT, KAFKA_HEARTBEAT_INTERVAL,
 * KAFKA_MAX_WAIT, INVENTORY_STOCK, PAYMENT_CREDIT_LIMITS, PAYMENT_DEFAULT_CREDIT_LIMIT,
 * SHIPPING_DELAY, SHIPPING_FAILURE_RATE, SHIPPING_FAILURE_SEED, PARTICIPANT_METRICS_PORT). `PARTICIPANT_ENV_NAMES` lists
 * them all. Durations take `500ms`, `30s`, `5m` or a bare number of milliseconds.
 */
import {
  ConfigError,
  loadConnectionConfig,
  validateEnv,
  type ConnectionConfig,
  type Env,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
  PARTICIPANT_ENV_NAMES,
  participantEnvSpec,
} from '../orchestrator/config/index.js';
import type { KafkaOptions } from '../wire/kafka/index.js';
import type { ParticipantSubscriberSettings } from './sdk/index.js';

export { ConfigError, PARTICIPANT_ENV_NAMES };

export const EXAMPLE_NAMES = ['inventory', 'payment', 'shipping'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

export interface ParticipantProcessConfig {
  participant: ExampleName;
  /** Everything of `KafkaOptions` but the logger (the process adds its own). */
  kafka: Omit<KafkaOptions, 'logger'>;
  redis: RedisConnectionConfig;
  topicPrefix: string;
  logLevel: ConnectionConfig['logLevel'];
  subscriber: ParticipantSubscriberSettings;
  /** The topics this process needs (its commands, replies, DLQ), created at start when missing. */
  topics: { partitions: number; replicationFactor: number; create: boolean };
  keyPrefix: string;
  /** @default `<topicPrefix>.<participant>` (the SDK's) */
  groupId: string | undefined;
  claimLeaseMs: number;
  maxTries: number;
  /** Port of `/metrics`, `/healthz` and `/readyz` (`health-server.ts`); undefined: not served. */
  metricsPort: number | undefined;
  /** Seeded at start by inventory when not empty. */
  inventoryStock: Record<string, number>;
  /** Seeded at start by payment when not empty. */
  paymentCreditLimits: Record<string, number>;
  paymentDefaultCreditLimit: number | undefined;
  shipping: { delayMs: number; failureRate: number; failureSeed: string };
}

/**
 * Reads and checks the configuration of the participant `participant`; throws a
 * {@link ConfigError} listing every problem (shared and participant settings together).
 */
export function loadParticipantConfig(
  participant: ExampleName,
  env: Env = process.env,
): Readonly<ParticipantProcessConfig> {
  const problems: string[] = [];
  const collect = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const connection = collect(() => loadConnectionConfig(env, `saga-participant-${participant}`));
  const e = collect(() => validateEnv(env, participantEnvSpec));
  if (e) {
    if (e.KAFKA_SESSION_TIMEOUT <= 0) problems.push('KAFKA_SESSION_TIMEOUT must be more than 0');
    if (e.KAFKA_HEARTBEAT_INTERVAL <= 0 || e.KAFKA_HEARTBEAT_INTERVAL >= e.KAFKA_SESSION_TIMEOUT) {
      problems.push('KAFKA_HEARTBEAT_INTERVAL must be more than 0 and below KAFKA_SESSION_TIMEOUT');
    }
    if (e.KAFKA_MAX_WAIT <= 0) problems.push('KAFKA_MAX_WAIT must be more than 0');
    if (e.PARTICIPANT_CLAIM_LEASE < 100) problems.push('PARTICIPANT_CLAIM_LEASE must be >= 100ms');
  }
  if (!connection || !e || problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    participant,
    kafka: kafkaOptionsOf(connection.kafka),
    redis: connection.redis,
    topicPrefix: connection.topicPrefix,
    logLevel: connection.logLevel,
    subscriber: {
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL,
      maxWaitTimeMs: e.KAFKA_MAX_WAIT,
    },
    topics: {
      partitions: e.SAGA_TOPIC_PARTITIONS,
      replicationFactor: e.SAGA_TOPIC_REPLICATION_FACTOR,
      create: e.SAGA_CREATE_TOPICS,
    },
    keyPrefix: e.PARTICIPANT_KEY_PREFIX,
    groupId: e.PARTICIPANT_GROUP_ID === '' ? undefined : e.PARTICIPANT_GROUP_ID,
    claimLeaseMs: e.PARTICIPANT_CLAIM_LEASE,
    metricsPort: e.PARTICIPANT_METRICS_PORT === 0 ? undefined : e.PARTICIPANT_METRICS_PORT,
    maxTries: e.PARTICIPANT_MAX_TRIES,
    inventoryStock: e.INVENTORY_STOCK,
    paymentCreditLimits: e.PAYMENT_CREDIT_LIMITS,
    paymentDefaultCreditLimit:
      e.PAYMENT_DEFAULT_CREDIT_LIMIT === '' ? undefined : e.PAYMENT_DEFAULT_CREDIT_LIMIT,
    shipping: {
      delayMs: e.SHIPPING_DELAY,
      failureRate: e.SHIPPING_FAILURE_RATE,
      failureSeed: e.SHIPPING_FAILURE_SEED,
    },
  });
}

/** The transport's Kafka options from the shared connection settings. */
function kafkaOptionsOf(kafka: KafkaConnectionConfig): Omit<KafkaOptions, 'logger'> {
  const { brokers, clientId, sasl, tls } = kafka;
  return {
    brokers,
    clientId,
    ...(sasl ? { sasl } : {}),
    ...(tls
      ? {
          tls: {
            rejectUnauthorized: tls.rejectUnauthorized,
            ...(tls.caFile ? { caFile: tls.caFile } : {}),
            ...(tls.certFile ? { certFile: tls.certFile } : {}),
            ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
          },
        }
      : {}),
  };
}
