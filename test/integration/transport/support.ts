/**
 * Helpers for the transport's integration tests: client options for the running broker, the
 * fast test timings (tests wait with test/support/eventually.ts).
 */
import { infraEndpoints, TEST_CONSUMER_TIMINGS } from '../../support/infra.js';
import { compileKafkaOptions, type CompiledKafkaOptions } from '../../../wire/kafka/index.js';
import {
  createLogger,
  isLogLevel,
  type LogFields,
  type Logger,
} from '../../../wire/telemetry/logger.js';

export interface LogLine {
  level: string;
  msg: string;
  ns: string;
  fields: Record<string, unknown>;
}

/**
 * A logger that keeps its lines for assertions (and prints them when TRANSPORT_LOG_LEVEL asks).
 */
export function recordingLogger(namespace = 'test'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const echo = process.env.TRANSPORT_LOG_LEVEL;
  const logger = createLogger(namespace, {
    level: 'debug',
    write: (line) => {
      const parsed = JSON.parse(line) as { level: string; msg: string; ns: string } & LogFields;
      const { level, msg, ns, time: _time, ...fields } = parsed;
      lines.push({ level, msg, ns, fields });
      if (echo && isLogLevel(echo) && rank(level) >= rank(echo)) process.stderr.write(`${line}\n`);
    },
  });
  return { logger, lines };
}

const rank = (level: string) => ['debug', 'info', 'warn', 'error', 'silent'].indexOf(level);

export function testKafkaOptions(clientId: string, logger?: Logger): CompiledKafkaOptions {
  return compileKafkaOptions({
    brokers: infraEndpoints().brokers,
    clientId,
    logLevel: 'warn',
    logger: logger ?? recordingLogger().logger,
  });
}

/** Subscriber timings that make a single-node test broker quick to join and rebalance. */
export const TEST_SUBSCRIBER_TIMINGS = {
  sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
  heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
  maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
  rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
  joinTimeoutMs: 45_000,
} as const;
