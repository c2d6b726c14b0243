/**
 * The SDK logs through the project's logger (`wire/telemetry/logger.ts`: JSON lines,
 * namespaced). Participants run inside other people's services, so it accepts any logger of this
 * minimal shape (pino and winston fit) in its options.
 */
import {
  createLogger,
  silentLogger,
  type LogFields,
  type LogLevel,
} from '../../wire/telemetry/index.js';

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export { createLogger, silentLogger, type LogFields, type LogLevel };
