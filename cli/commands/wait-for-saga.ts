/**
 * Waiting for a saga from the CLI: long polls of at most a minute (the API's cap) until the saga
 * is no longer running or the CLI's own timeout passes. The exit code tells scripts how it ended.
 */
import type { SagaResult } from '../api-client.js';
import type { CliContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

const MAX_POLL_MS = 60_000;

export async function waitForSaga(
  context: CliContext,
  id: string,
  timeoutMs: number,
): Promise<SagaResult> {
  const deadline = context.now() + timeoutMs;
  for (;;) {
    const remaining = Math.max(0, deadline - context.now());
    const result = await context.client.waitForResult(id, Math.min(remaining, MAX_POLL_MS));
    if (result.done || remaining <= MAX_POLL_MS) return result;
  }
}

/** 0 completed, 5 ended otherwise (compensated, cancelled, failed, parked), 4 still running. */
export function exitCodeOf(result: SagaResult): ExitCode {
  if (!result.done) return EXIT.STILL_RUNNING;
  return result.saga.status === 'completed' ? EXIT.OK : EXIT.NOT_COMPLETED;
}

export function describeOutcome(result: SagaResult): string {
  const { id, status, state } = result.saga;
  return result.done
    ? `saga ${id} is ${status} (state ${state})`
    : `saga ${id} is still running (state ${state}) after the timeout`;
}
