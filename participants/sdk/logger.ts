/**
 * A minimal structured logger port. Participants run inside other people's services, so the SDK
 * takes whatever logger they have (pino, winston, console) through this shape.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * A JSON-lines logger on stderr, namespaced (`participant:inventory`), that drops messages below
 * `level`.
 */
export function consoleLogger(namespace: string, level: LogLevel = 'warn'): Logger {
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const line = { level: at, ns: namespace, msg: message, ...fields };
    process.stderr.write(`${JSON.stringify(line, errorReplacer)}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that says nothing (tests that assert on outcomes, not on logs). */
export const silentLogger: Logger = consoleLogger('silent', 'silent');

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
