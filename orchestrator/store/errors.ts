/**
 * What can go wrong in the store, and whether trying again can help. A version conflict is not
 * here: it is an expected outcome of `commit` (another writer moved the saga on), returned as a
 * result. Connection failures surface as ioredis's own errors and are always worth retrying.
 */

export class SagaStoreError extends Error {
  /** The saga concerned, when there is one. */
  readonly sagaId: string | undefined;
  /** Whether the same call may succeed later. */
  readonly retriable: boolean;

  constructor(
    message: string,
    options: { sagaId?: string; retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.sagaId = options.sagaId;
    this.retriable = options.retriable ?? false;
  }
}

/** The store was given options it cannot work with; thrown at start-up. */
export class StoreConfigError extends SagaStoreError {}

/** A record or write the store refuses (an id it cannot key, a version that skips, …). */
export class InvalidRecordError extends SagaStoreError {}

/** A stored saga that cannot be read back (hand-edited, or written by an incompatible version). */
export class CorruptRecordError extends SagaStoreError {}

/** A list query that cannot be served: an unknown cursor, a limit out of range. */
export class InvalidQueryError extends SagaStoreError {}

/** A script answered something the store does not understand (a bug, or a foreign script). */
export class UnexpectedScriptReplyError extends SagaStoreError {}
