/**
 * The record of handled commands, which makes a re-delivered command a duplicate instead of a
 * second execution. Every command goes through it in two steps:
 *
 * 1. `claim` — atomically marks the `commandId` as being handled by one owner for a lease. Of two
 *    deliveries racing (two consumer groups, a rebalance), exactly one gets the claim; the other
 *    sees `busy` and waits, or `done` and re-sends the recorded reply.
 * 2. `complete` — records the result (the reply's outcome, payload or error) for the TTL. The
 *    first result recorded wins; `complete` returns it, so every delivery re-sends the same reply.
 *
 * A crash after the handler's effect and before `complete` leaves a claim whose lease runs out; a
 * re-delivery then runs the handler again (at least once). A handler that keeps its state in the
 * same Redis can close that gap by writing the record in its own transaction (see
 * `HandlerContext.ledger`), which makes its effect happen exactly once.
 */
import type { JsonObject, ReplyError } from '../../wire/contract/index.js';

/** What a command's reply said, without its ids: stored, and re-sent on duplicates. */
export type RecordedResult =
  { outcome: 'success'; payload?: JsonObject } | { outcome: 'failure'; error: ReplyError };

export type ClaimOutcome =
  | { kind: 'claimed' }
  | { kind: 'done'; result: RecordedResult }
  /** Another delivery holds the claim; its lease ends in `leaseLeftMs` at the latest. */
  | { kind: 'busy'; leaseLeftMs: number };

export interface CompleteOutcome {
  /** The recorded result: this one, or the one another delivery recorded first. */
  result: RecordedResult;
  /** True when a result had been recorded before (and `result` is that one, not ours). */
  existing: boolean;
  /** True when the claim had expired or passed to another owner before this completion. */
  claimLost: boolean;
}

export interface CommandLedger {
  claim(commandId: string, owner: string, leaseMs: number): Promise<ClaimOutcome>;
  /** Extends the lease while a handler still runs; false when the claim is no longer ours. */
  extend(commandId: string, owner: string, leaseMs: number): Promise<boolean>;
  complete(
    commandId: string,
    owner: string,
    result: RecordedResult,
    ttlMs: number,
  ): Promise<CompleteOutcome>;
  /** Gives a claim up without a result (the command expired), so nothing is recorded. */
  release(commandId: string, owner: string): Promise<void>;
  /**
   * The Redis key that holds the record of `commandId`, when the ledger is Redis: a handler may
   * write the record in its own MULTI or Lua script (see {@link LEDGER_FIELDS}).
   */
  redisKey?(commandId: string): string;
}

/**
 * The layout of one record in the Redis ledger: a hash at `<keyPrefix>:cmd:<commandId>` with a
 * TTL. A handler that writes the record itself (in its own transaction) checks
 * `HGET key state == 'done'` first (then it must not apply its change again) and otherwise sets
 * `HSET key state done result <json>` and `PEXPIRE key <ttlMs>`, with the `<json>` that
 * `ctx.ledger.successResult(payload)` gives.
 */
export const LEDGER_FIELDS = {
  /** `claimed` while a delivery runs the handler, `done` once the result is recorded. */
  state: 'state',
  /** The claim's owner token (while `claimed`). */
  owner: 'owner',
  /** The recorded result as JSON (a {@link RecordedResult}), once `done`. */
  result: 'result',
} as const;

export const LEDGER_STATES = { claimed: 'claimed', done: 'done' } as const;

/** Serialises a result the way the ledger stores it. */
export function encodeResult(result: RecordedResult): string {
  return JSON.stringify(result);
}

/** Reads a stored result back; a record that is not one is reported, never trusted. */
export function decodeResult(raw: string): RecordedResult {
  const value = JSON.parse(raw) as Partial<RecordedResult> & { error?: unknown };
  if (value.outcome === 'success') {
    return value.payload === undefined
      ? { outcome: 'success' }
      : { outcome: 'success', payload: value.payload };
  }
  if (value.outcome === 'failure' && isReplyError(value.error)) {
    return { outcome: 'failure', error: value.error };
  }
  throw new Error(`ledger record is not a result: ${raw.slice(0, 200)}`);
}

function isReplyError(value: unknown): value is ReplyError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.retryable === 'boolean'
  );
}
