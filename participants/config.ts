/**
 * The participant process's configuration, read from the environment in this one place and
 * checked at start-up: every problem is reported at once, naming the variable.
 *
 * | variable                       | meaning                                            | default         |
 * | ------------------------------ | -------------------------------------------------- | --------------- |
 * | `KAFKA_BROKERS`                | comma list of `host:port`                          | required        |
 * | `KAFKA_CLIENT_ID`              | client id the brokers see                          | `saga-participant-<name>` |
 * | `KAFKA_SASL_MECHANISM`         | `plain`, `scram-sha-256`, `scram-sha-512`          | none            |
 * | `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` | SASL credentials                     | none            |
 * | `KAFKA_TLS`                    | `true` for TLS with the system's CAs               | `false`         |
 * | `KAFKA_TLS_CA_FILE`            | PEM file of the brokers' CA (implies TLS)          | none            |
 * | `KAFKA_SESSION_TIMEOUT_MS`     | consumer session timeout                           | `30000`         |
 * | `KAFKA_HEARTBEAT_INTERVAL_MS`  | consumer heartbeat period                          | `3000`          |
 * | `KAFKA_MAX_WAIT_MS`            | longest a fetch waits for messages                 | `5000`          |
 * | `KAFKA_TOPIC_PARTITIONS`       | partitions of topics the process creates (commands, replies, DLQ; only missing ones) | `12` |
 * | `REDIS_URL`                    | `redis://` or `rediss://` URL                      | required        |
 * | `SAGA_TOPIC_PREFIX`            | topic prefix                                       | `saga`          |
 * | `PARTICIPANT_KEY_PREFIX`       | prefix of the examples' Redis keys                 | `saga-example`  |
 * | `PARTICIPANT_GROUP_ID`         | consumer group                                     | `<prefix>.<name>` |
 * | `PARTICIPANT_CLAIM_LEASE_MS`   | lease of a command's claim (crash take-over time)  | `30000`         |
 * | `PARTICIPANT_MAX_TRIES`        | handler tries per delivery                         | `3`             |
 * | `PARTICIPANT_LOG_LEVEL`        | `debug`, `info`, `warn`, `error`, `silent`         | `info`          |
 * | `PARTICIPANT_METRICS_PORT`     | serve Prometheus `/metrics` on this port           | none (not served) |
 * | `INVENTORY_STOCK`              | seed stock at start, `SKU-1=10,SKU-2=5`            | none            |
 * | `PAYMENT_CREDIT_LIMITS`        | seed limits at start, `c-1=500,c-2=80`             | none            |
 * | `PAYMENT_DEFAULT_CREDIT_LIMIT` | seed the limit of every other customer             | none            |
 * | `SHIPPING_DELAY_MS`            | delay of every ConfirmOrder                        | `0`             |
 * | `SHIPPING_FAILURE_RATE`        | fraction of transient failures, 0 to 1             | `0`             |
 * | `SHIPPING_FAILURE_SEED`        | seed of the failure choice                         | `shipping`      |
 */
import {
  SASL_MECHANISMS,
  type KafkaOptions,
  type SaslMechanism,
} from '../orchestrator/transport/kafka/index.js';
import type { LogLevel, ParticipantSubscriberSettings } from './sdk/index.js';

export const EXAMPLE_NAMES = ['inventory', 'payment', 'shipping'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

export interface ParticipantProcessConfig {
  /** Everything of `KafkaOptions` but the logger (the process adds its own). */
  kafka: Omit<KafkaOptions, 'logger'>;
  subscriber: ParticipantSubscriberSettings;
  /** Partitions of the topics created at start when missing. */
  topicPartitions: number;
  redisUrl: string;
  topicPrefix: string;
  keyPrefix: string;
  groupId: string | undefined;
  claimLeaseMs: number;
  maxTries: number;
  logLevel: LogLevel;
  /** Port of the Prometheus `/metrics` endpoint; undefined: metrics are not served. */
  metricsPort: number | undefined;
  inventoryStock: Record<string, number> | undefined;
  paymentCreditLimits: Record<string, number> | undefined;
  paymentDefaultCreditLimit: number | undefined;
  shipping: { delayMs: number; failureRate: number; failureSeed: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Reads and checks the configuration; throws a {@link ConfigError} listing every problem. */
export function readParticipantConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ParticipantProcessConfig {
  const problems: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const required = (name: string, hint: string) => {
    const value = text(name);
    if (value === undefined) problems.push(`${name} is required (${hint})`);
    return value ?? '';
  };
  const number = (name: string, fallback: number, check: (n: number) => boolean, what: string) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || !check(value)) {
      problems.push(`${name} must be ${what}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const pairs = (name: string, check: (n: number) => boolean, what: string) => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const result: Record<string, number> = {};
    for (const entry of raw
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [key, value] = entry.split('=');
      const n = Number(value);
      if (!key || value === undefined || !Number.isFinite(n) || !check(n)) {
        problems.push(`${name}: "${entry}" is not <name>=<${what}>`);
        continue;
      }
      result[key.trim()] = n;
    }
    return result;
  };

  const brokers = required('KAFKA_BROKERS', 'e.g. localhost:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const kafka: Omit<KafkaOptions, 'logger'> = { brokers };
  const clientId = text('KAFKA_CLIENT_ID');
  if (clientId) kafka.clientId = clientId;
  const mechanism = text('KAFKA_SASL_MECHANISM');
  if (mechanism) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      problems.push(`KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}`);
    }
    kafka.sasl = {
      mechanism: mechanism as SaslMechanism,
      username: required('KAFKA_SASL_USERNAME', 'with KAFKA_SASL_MECHANISM'),
      password: required('KAFKA_SASL_PASSWORD', 'with KAFKA_SASL_MECHANISM'),
    };
  }
  const caFile = text('KAFKA_TLS_CA_FILE');
  const tls = text('KAFKA_TLS');
  if (tls !== undefined && tls !== 'true' && tls !== 'false') {
    problems.push(`KAFKA_TLS must be true or false, got "${tls}"`);
  }
  if (caFile) kafka.tls = { caFile };
  else if (tls === 'true') kafka.tls = true;
  const ms = (name: string, fallback: number) =>
    number(name, fallback, (n) => Number.isInteger(n) && n > 0, 'a positive whole number of ms');
  const subscriber: ParticipantSubscriberSettings = {
    sessionTimeoutMs: ms('KAFKA_SESSION_TIMEOUT_MS', 30_000),
    heartbeatIntervalMs: ms('KAFKA_HEARTBEAT_INTERVAL_MS', 3_000),
    maxWaitTimeMs: ms('KAFKA_MAX_WAIT_MS', 5_000),
  };
  const redisUrl = required('REDIS_URL', 'e.g. redis://localhost:6379');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  }
  const logLevel = (text('PARTICIPANT_LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`PARTICIPANT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const config: ParticipantProcessConfig = {
    kafka,
    subscriber,
    topicPartitions: number(
      'KAFKA_TOPIC_PARTITIONS',
      12,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
    redisUrl,
    topicPrefix: text('SAGA_TOPIC_PREFIX') ?? 'saga',
    keyPrefix: text('PARTICIPANT_KEY_PREFIX') ?? 'saga-example',
    groupId: text('PARTICIPANT_GROUP_ID'),
    claimLeaseMs: number('PARTICIPANT_CLAIM_LEASE_MS', 30_000, (n) => n >= 100, 'at least 100'),
    maxTries: number(
      'PARTICIPANT_MAX_TRIES',
      3,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
    logLevel,
    metricsPort: text('PARTICIPANT_METRICS_PORT')
      ? number(
          'PARTICIPANT_METRICS_PORT',
          0,
          (n) => Number.isInteger(n) && n >= 1 && n <= 65_535,
          'a port number',
        )
      : undefined,
    inventoryStock: pairs('INVENTORY_STOCK', (n) => Number.isInteger(n) && n >= 0, 'units'),
    paymentCreditLimits: pairs('PAYMENT_CREDIT_LIMITS', (n) => n >= 0, 'amount'),
    paymentDefaultCreditLimit: text('PAYMENT_DEFAULT_CREDIT_LIMIT')
      ? number('PAYMENT_DEFAULT_CREDIT_LIMIT', 0, (n) => n >= 0, 'an amount >= 0')
      : undefined,
    shipping: {
      delayMs: number('SHIPPING_DELAY_MS', 0, (n) => n >= 0, 'a number of ms >= 0'),
      failureRate: number('SHIPPING_FAILURE_RATE', 0, (n) => n >= 0 && n <= 1, 'between 0 and 1'),
      failureSeed: text('SHIPPING_FAILURE_SEED') ?? 'shipping',
    },
  };
  if (problems.length > 0) {
    throw new ConfigError(`participant configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
