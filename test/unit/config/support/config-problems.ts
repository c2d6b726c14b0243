/** What the configuration tests share: the least environment that loads, and a loader's problems. */
import { ConfigError } from '../../../../orchestrator/config/index.js';

/** The two required variables; everything else takes its default. */
export const MINIMAL_ENV = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };

/** The problems of the {@link ConfigError} that `load` throws (it must throw one). */
export function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
