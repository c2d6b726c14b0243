/**
 * The one way tests wait: for a condition (`eventually`, `until`), for a promise with a deadline
 * (`within`), or — rarely — for time itself (`elapse`). Tests
 * never sleep with a bare `setTimeout`; lint (eslint.config.js) rejects it outside test/support.
 */

export interface WaitOptions {
  /** How long to wait before failing. @default 30_000 */
  timeoutMs?: number;
  /** How long between two probes. @default 100 */
  intervalMs?: number;
  /**
   * Whether a probe that throws this error means "not yet" (e.g. a server that is not listening
   * yet). By default a throwing probe fails the wait at once: it is usually a bug in the probe.
   */
  retryOn?: (error: unknown) => boolean;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function waitOptions(timeoutOrOptions: number | WaitOptions | undefined, intervalMs?: number) {
  const options =
    typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  return {
    timeoutMs: options?.timeoutMs ?? 30_000,
    intervalMs: intervalMs ?? options?.intervalMs ?? 100,
    retryOn: options?.retryOn,
  };
}

/**
 * Polls `probe` until it returns a value (not undefined), or fails after the timeout.
 *
 * @example
 * const record = await eventually('the saga to complete', async () => {
 *   const r = await store.load(id);
 *   return r?.status === 'completed' ? r : undefined;
 * }, 60_000);
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutOrOptions?: number | WaitOptions,
  intervalMs?: number,
): Promise<T> {
  const { timeoutMs, intervalMs: interval, retryOn } = waitOptions(timeoutOrOptions, intervalMs);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!retryOn?.(error)) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await pause(interval);
  }
}

/** Polls `condition` until it holds, or fails after the timeout. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutOrOptions?: number | WaitOptions,
): Promise<void> {
  await eventually(what, async () => ((await condition()) ? true : undefined), timeoutOrOptions);
}

/**
 * Resolves with `promise`'s value, or fails with `what` when it has not settled within
 * `timeoutMs` (e.g. a process that should exit after SIGTERM).
 */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lets real time pass on purpose — simulated latency of a fake dependency, or pacing traffic —
 * never to wait for something to happen (that is `eventually`/`until`).
 */
export function elapse(ms: number): Promise<void> {
  return pause(ms);
}
