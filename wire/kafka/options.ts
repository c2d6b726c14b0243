/**
 * How to reach the Kafka cluster: the options a config module fills in (it alone reads the
 * environment), compiled once at start-up into a kafkajs client configuration. Every mistake is
 * reported here, with the option's name, before any connection is tried.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { createLogger, isLogLevel, type LogLevel, type Logger } from '../telemetry/index.js';
import { registerCompressionCodecs } from './compression.js';
import { stopRequestQueueSpin } from './request-queue-spin.js';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaTlsOptions {
  /**
   * PEM file of the CA(s) that signed the brokers' certificates.
   * @default the system's trusted CAs
   */
  caFile?: string;
  /** PEM client certificate for mutual TLS; needs `keyFile`. */
  certFile?: string;
  /** PEM private key of `certFile`. */
  keyFile?: string;
  /**
   * Refuse brokers whose certificate does not verify. Turn off only against a test broker.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks, when it differs from the broker host. */
  servername?: string;
}

export interface KafkaOptions {
  /** Bootstrap brokers, `host:port` each. Required, at least one. */
  brokers: readonly string[];
  /**
   * Client id the brokers see in their logs and quotas.
   * @default 'saga-orchestrator'
   */
  clientId?: string;
  /** SASL authentication; none when absent. */
  sasl?: KafkaSaslOptions;
  /**
   * TLS: `true` uses the system's CAs, an object names CA/cert/key files.
   * @default false (plaintext)
   */
  tls?: boolean | KafkaTlsOptions;
  /**
   * Time to open a TCP (and TLS) connection to a broker, in ms.
   * @default 10000
   */
  connectionTimeoutMs?: number;
  /**
   * Time a broker has to answer one request, in ms.
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Client-side retries of a failed request (kafkajs' retry policy): first wait, in ms.
   * @default 300
   */
  initialRetryTimeMs?: number;
  /**
   * Client-side retries of a failed request: how many before giving up.
   * @default 5
   */
  retries?: number;
  /**
   * Lowest level of kafkajs' own log lines that reach `logger`. kafkajs logs some retriable,
   * expected situations (a coordinator loading, a rebalance) as errors.
   * @default 'warn'
   */
  logLevel?: LogLevel;
  /**
   * Where kafkajs' log lines go, under the child namespace `kafkajs`.
   * @default createLogger('transport')
   */
  logger?: Logger;
}

const compiledBrand: unique symbol = Symbol('CompiledKafkaOptions');

/** Options with defaults filled in and files read; make one with {@link compileKafkaOptions}. */
export interface CompiledKafkaOptions {
  readonly [compiledBrand]: true;
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** The kafkajs configuration these options produce. */
  readonly kafkaConfig: Readonly<KafkaConfig>;
}

/** Thrown at start-up when options are wrong; the message names the option. */
export class KafkaOptionsError extends Error {
  override readonly name = 'KafkaOptionsError';
}

const BROKER = /^(?<host>\[[0-9a-fA-F:.]+\]|[^\s:/]+):(?<port>\d{1,5})$/;

/** Fills defaults, checks every option, reads TLS files. Throws {@link KafkaOptionsError}. */
export function compileKafkaOptions(options: KafkaOptions): CompiledKafkaOptions {
  const fail = (message: string): never => {
    throw new KafkaOptionsError(`Kafka options: ${message}`);
  };
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    fail('brokers must list at least one "host:port"');
  }
  const brokers = options.brokers.map((broker) => broker.trim());
  for (const broker of brokers) {
    const match = BROKER.exec(broker);
    const port = Number(match?.groups?.port);
    if (!match || port < 1 || port > 65535) {
      fail(`broker "${broker}" is not "host:port" with a port from 1 to 65535`);
    }
  }
  const clientId = options.clientId ?? 'saga-orchestrator';
  if (clientId.trim() === '') fail('clientId must not be empty');

  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const result = value ?? fallback;
    if (!Number.isFinite(result) || result <= 0) fail(`${name} must be a positive number of ms`);
    return result;
  };
  const connectionTimeout = positive('connectionTimeoutMs', options.connectionTimeoutMs, 10_000);
  const requestTimeout = positive('requestTimeoutMs', options.requestTimeoutMs, 30_000);
  const initialRetryTime = positive('initialRetryTimeMs', options.initialRetryTimeMs, 300);
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0) fail('retries must be a whole number ≥ 0');

  const level = options.logLevel ?? 'warn';
  if (!isLogLevel(level))
    fail(`logLevel "${String(level)}" is not debug, info, warn, error or silent`);
  const logger = options.logger ?? createLogger('transport');

  const config: KafkaConfig = {
    clientId,
    brokers: [...brokers],
    connectionTimeout,
    requestTimeout,
    retry: { initialRetryTime, retries },
    logLevel: KAFKAJS_LEVEL[level],
    logCreator: kafkajsLogCreator(logger.child('kafkajs')),
  };
  if (options.sasl) config.sasl = compileSasl(options.sasl, fail);
  const ssl = compileTls(options.tls, fail);
  if (ssl !== undefined) config.ssl = ssl;

  return { [compiledBrand]: true, clientId, brokers, logger, kafkaConfig: config };
}

/** True when `value` came out of {@link compileKafkaOptions}. */
export function isCompiledKafkaOptions(value: unknown): value is CompiledKafkaOptions {
  return typeof value === 'object' && value !== null && compiledBrand in value;
}

/**
 * A kafkajs client for these options (compiled or not). Connections open only when a producer,
 * consumer or admin made from it connects. Every compression Kafka defines is registered
 * (compression.ts) and kafkajs' idle request-queue loop is stopped (request-queue-spin.ts)
 * before the client exists.
 */
export function createKafkaClient(options: KafkaOptions | CompiledKafkaOptions): Kafka {
  const compiled = isCompiledKafkaOptions(options) ? options : compileKafkaOptions(options);
  registerCompressionCodecs();
  stopRequestQueueSpin();
  return new Kafka({ ...compiled.kafkaConfig });
}

function compileSasl(
  sasl: KafkaSaslOptions,
  fail: (message: string) => never,
): KafkaConfig['sasl'] {
  const { mechanism, username, password } = sasl;
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    fail(`sasl.mechanism "${String(mechanism)}" is not one of ${SASL_MECHANISMS.join(', ')}`);
  }
  if (!username) fail('sasl.username must not be empty');
  if (!password) fail('sasl.password must not be empty');
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

function compileTls(
  tls: KafkaOptions['tls'],
  fail: (message: string) => never,
): ConnectionOptions | boolean | undefined {
  if (tls === undefined || tls === false) return undefined;
  if (tls === true) return true;
  const read = (name: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      return fail(`tls.${name} "${path}" cannot be read: ${(error as Error).message}`);
    }
  };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    fail('tls.certFile and tls.keyFile go together (mutual TLS needs both)');
  }
  const options: ConnectionOptions = { rejectUnauthorized: tls.rejectUnauthorized ?? true };
  const ca = read('caFile', tls.caFile);
  const cert = read('certFile', tls.certFile);
  const key = read('keyFile', tls.keyFile);
  if (ca) options.ca = [ca];
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (tls.servername) options.servername = tls.servername;
  return options;
}

const KAFKAJS_LEVEL: Record<LogLevel, KafkaLogLevel> = {
  debug: KafkaLogLevel.DEBUG,
  info: KafkaLogLevel.INFO,
  warn: KafkaLogLevel.WARN,
  error: KafkaLogLevel.ERROR,
  silent: KafkaLogLevel.NOTHING,
};

const LIMITED_RETRIES_WARNING =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * Broker answers that kafkajs retries by itself (it logs each failed response at error level
 * first): a topic just created has no leader yet, a group coordinator is still loading or moving,
 * a group is rebalancing. They are normal during topic creation and group joins, so they are
 * logged at debug; when the retries run out, the caller gets the error and reports it. Matched on
 * the start of kafkajs' protocol error messages (kafkajs/src/protocol/error.js).
 */
export const RETRIED_KAFKA_CONDITIONS: readonly string[] = [
  "The coordinator is loading and hence can't process requests",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'The group is rebalancing',
  'This server does not host this topic-partition',
  'There is no leader for this topic-partition',
  'This server is not the leader for that topic-partition',
  'The preferred leader was not available',
];

/** Whether a kafkajs log line reports one of the retried conditions (in its text or `error`). */
function isRetriedCondition(text: string, fields: Record<string, unknown>): boolean {
  const error = typeof fields.error === 'string' ? fields.error : '';
  return RETRIED_KAFKA_CONDITIONS.some(
    (condition) => text.startsWith(condition) || error.startsWith(condition),
  );
}

/** Routes kafkajs' log entries to the project's logger (kafkajs filters by its own level first). */
function kafkajsLogCreator(logger: Logger): KafkaConfig['logCreator'] {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const line = { kafkajs: namespace, ...(fields as Record<string, unknown>) };
      const text = String(message);
      // The publisher limits an idempotent producer's retries on purpose and replaces the
      // producer after a failed send (see publisher.ts), so this warning is not news.
      if (text === LIMITED_RETRIES_WARNING) logger.debug(text, line);
      else if (isRetriedCondition(text, line)) logger.debug(text, line);
      else if (level === KafkaLogLevel.ERROR) logger.error(text, line);
      else if (level === KafkaLogLevel.WARN) logger.warn(text, line);
      else if (level === KafkaLogLevel.INFO) logger.info(text, line);
      else logger.debug(text, line);
    };
}
