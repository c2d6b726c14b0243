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

/**
 * The shard's owner epoch moved since the caller took the shard: another instance owns it now
 * (shard-epochs.ts). Not retriable: the caller stops working on the shard.
 */
export class ShardFencedError extends SagaStoreError {
  constructor(
    readonly shard: number,
    readonly epoch: number,
  ) {
    super(`shard ${shard} was taken by another instance since epoch ${epoch}`);
  }
}

/** A script answered something the store does not understand (a bug, or a foreign script). */
export class UnexpectedScriptReplyError extends SagaStoreError {}

/**
 * Redis error replies that mean "not now" (a failover in progress, a replica still loading, memory
 * full, a cluster slot moving) rather than "not this call". Any other error reply is about the
 * call itself (an argument over Redis' limits, a script error) and fails the same way again.
 */
const TRANSIENT_REPLY_PREFIXES = [
  'LOADING',
  'BUSY',
  'READONLY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'MOVED',
  'ASK',
  'OOM',
  'NOREPLICAS',
  'NOSCRIPT',
];

/**
 * Whether a failed store call may succeed when tried again: the store's own errors say so
 * themselves; a Redis error reply is retriable only when it is one of the transient ones above;
 * anything else (the connection closed, a timeout, the client's retries ran out) is a failure of
 * the infrastructure, not of the call, and so retriable.
 */
export function isRetriableStoreFailure(error: unknown): boolean {
  if (error instanceof SagaStoreError) return error.retriable;
  if (error instanceof Error && error.name === 'ReplyError') return isTransientRedisReply(error);
  return true;
}

/** Whether `error` is one of Redis's transient error replies above (a failover, a load, a busy script…). */
export function isTransientRedisReply(error: Error): boolean {
  return (
    error.name === 'ReplyError' &&
    TRANSIENT_REPLY_PREFIXES.some((prefix) => error.message.startsWith(prefix))
  );
}
