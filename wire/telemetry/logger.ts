/**
 * The project's logger: JSON lines on stderr, one namespace per module, a level threshold.
 *
 * Deliberately tiny (no dependency): modules take a {@link Logger} through their factory options
 * and default to {@link createLogger}; the config module decides the level. A line looks like
 * `{"time":"2026-…Z","level":"warn","ns":"transport.subscriber","msg":"…","groupId":"…"}`.
 *
 * @example
 * const log = createLogger('transport', { level: 'info' });
 * log.child('subscriber').warn('handler failed, batch will be re-delivered', { topic, error });
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured context of a line. `Error` values are written as `{ name, message, stack }`. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly namespace: string;
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-module: namespace `<this>.<name>`, same level and sink. */
  child(name: string): Logger;
}

export interface LoggerOptions {
  /**
   * Lines below this level are dropped.
   * @default 'info'
   */
  level?: LogLevel;
  /**
   * Where a finished line goes (without the trailing newline).
   * @default writes the line and a newline to process.stderr
   */
  write?: (line: string) => void;
  /**
   * The time stamped on each line.
   * @default () => new Date()
   */
  now?: () => Date;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** True when `value` names a level (for config modules validating input). */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Creates a namespaced JSON-lines logger. */
export function createLogger(namespace: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!isLogLevel(level)) {
    throw new Error(`log level "${String(level)}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const threshold = SEVERITY[level];

  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (SEVERITY[lineLevel] < threshold) return;
    const line: Record<string, unknown> = {
      time: now().toISOString(),
      level: lineLevel,
      ns: namespace,
      msg: message,
    };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        // The fixed keys keep their meaning; a clashing field gets a prefix instead of winning.
        line[key in line ? `field.${key}` : key] = value;
      }
    }
    write(safeStringify(line));
  };

  return {
    namespace,
    level,
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (name) => createLogger(namespace ? `${namespace}.${name}` : name, { level, write, now }),
  };
}

/** A logger that writes nothing, for callers that want silence (tests, tools). */
export const silentLogger: Logger = createLogger('', { level: 'silent', write: () => undefined });

function safeStringify(line: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  // A log line must never throw: errors become plain objects, bigints strings, cycles a marker.
  return JSON.stringify(line, function (this: unknown, key: string, value: unknown) {
    // `value` is already through toJSON (a Buffer arrives as `{ type, data }`): look at the original.
    const original = (this as Record<string, unknown>)[key];
    if (Buffer.isBuffer(original)) return `<${original.length} bytes>`;
    if (value instanceof Error) {
      const { name, message, stack } = value;
      const cause = (value as { cause?: unknown }).cause;
      return cause === undefined ? { name, message, stack } : { name, message, stack, cause };
    }
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}
