/**
 * Retry delays. The engine cannot sleep, so a backoff is a delayed transition (a durable timer);
 * its length must be the same on every replay, so jitter is derived from the saga id and the
 * attempt, never from `Math.random`.
 */

/** How long to wait before the next attempt: `initialDelayMs × multiplier^(retry-1)`, capped. */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Growth per retry; `1` for a constant delay. */
  multiplier: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
  /**
   * Share of the delay (0…1) taken off by jitter, so retries of many sagas that failed together
   * do not return together. Derived from `seed` (saga id, step, attempt): deterministic.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 500,
  multiplier: 2,
  maxDelayMs: 30_000,
  jitter: 0.2,
};

/**
 * A number in [0, 1) from a string, the same on every machine (FNV-1a, 32 bits).
 */
export function deterministicFraction(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}

/**
 * The delay before retry number `retry` (1 for the first retry), in whole milliseconds.
 *
 * @example backoffDelay({ initialDelayMs: 500, multiplier: 2, maxDelayMs: 5000, jitter: 0 }, 3, 's1') === 2000
 */
export function backoffDelay(policy: BackoffPolicy, retry: number, seed: string): number {
  const exponential = policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, retry - 1));
  const capped = Math.min(policy.maxDelayMs, exponential);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(capped - capped * jitter * deterministicFraction(seed)));
}
