/** The shapes that cross the store's API, and the API itself (`SagaStore`, made by `createSagaStore`). */
import type { ArmedTimer, EpochMs, HistoryEntry, SagaRecord, SagaStatus } from '../engine/index.js';
import type { OutgoingMessage } from '../../wire/transport/index.js';
import type { StoreKeys } from './keys.js';

/**
 * Everything besides the record that one step writes, atomically with it. Timers are cancelled
 * first and then set, so one step may cancel and re-arm the same timer id.
 */
export interface StepWrite {
  /** Messages for the outbox relay to publish, in this order. */
  outbox?: readonly OutgoingMessage[];
  timersToSet?: readonly ArmedTimer[];
  /** Timer ids to disarm, including the one whose firing this step consumes. */
  timersToCancel?: readonly string[];
  history?: readonly HistoryEntry[];
  /**
   * `hold`: the step pauses its saga — the saga's messages still in the shard's outbox move into
   * its record, unpublished. `release`: the step resumes it — they go back to the outbox (same
   * messages, same command ids) before the step's own.
   */
  outboxHold?: 'hold' | 'release';
  /**
   * With `release`: how long the saga was paused (ms). Each released entry carries it (stream
   * field `p`, added up over several pauses), and the relay moves a command's `expiresAt` as far.
   */
  heldForMs?: number;
}

export type CreateResult =
  /** The saga is new: the record and the write are stored. */
  | { created: true; record: SagaRecord }
  /** A saga with this id already exists: nothing was written; this is the stored one. */
  | { created: false; record: SagaRecord };

export type CommitResult =
  | { status: 'committed'; sagaId: string; revision: number }
  /** The saga is at another revision than expected: nothing was written. */
  | { status: 'conflict'; sagaId: string; currentRevision: number }
  /** No such saga (never created, or purged): nothing was written. */
  | { status: 'missing'; sagaId: string }
  /**
   * This write alone was refused, by the store's checks (`InvalidRecordError`) or by Redis for
   * this saga's script only (an argument over its limits, say): nothing was written. Failures
   * that are not the write's own (the connection is gone) make `commitMany` throw instead.
   */
  | { status: 'rejected'; sagaId: string; error: Error };

/**
 * One write to commit: the revision the saga had (`expectedRevision`) and the record it moves to,
 * after `steps` engine steps (several events of one saga applied in one round are written together).
 */
export interface CommitItem {
  expectedRevision: number;
  record: SagaRecord;
  write?: StepWrite;
  /** How many engine steps the write covers: `record.revision` is `expectedRevision + steps`. @default 1 */
  steps?: number;
}

/** One saga of `loadEach`: its record (`undefined` when there is no such saga), or its own error. */
export type LoadResult = { record: SagaRecord | undefined; error?: undefined } | { error: Error };

export interface HistoryPage {
  /** Oldest first, from `offset`. */
  entries: HistoryEntry[];
  /** Entries kept now. */
  total: number;
  /** Older entries dropped because the saga's history reached its limit. */
  dropped: number;
}

/** A message waiting in a shard's outbox. */
export interface OutboxEntry {
  /** The stream entry id, to ack once published. */
  id: string;
  message: OutgoingMessage;
  /** When Redis stored it (from the stream id): the relay's lag is now − enqueuedAt. */
  enqueuedAt: EpochMs;
  /** How long pauses of its saga held it back (ms), when they did. */
  heldForMs?: number;
}

/** A timer handed to one poller until `now + leaseMs`. */
export interface ClaimedTimer {
  sagaId: string;
  timerId: string;
  /** When the statechart wanted it to fire. */
  dueAt: EpochMs;
  /** When the claim ends and the timer is due again unless a commit cancelled it. */
  claimedUntil: EpochMs;
}

export interface ClaimResult {
  claimed: ClaimedTimer[];
  /** Due entries removed: their saga is gone, has ended, or no longer has the timer armed. */
  dropped: number;
}

export interface SagaSummary {
  id: string;
  type: string;
  definitionVersion: string;
  revision: number;
  status: SagaStatus;
  state: string;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  /** The id of the saga's trace, when it was started with tracing on. */
  traceId?: string;
  /** Present while an operator has the saga paused. */
  paused?: { at: EpochMs; actor: string; reason?: string };
}

export interface ListQuery {
  type?: string;
  status?: SagaStatus;
  /** The statechart state path; best combined with `type` (state names belong to a type). */
  state?: string;
  /** Only sagas whose id starts with this. */
  idPrefix?: string;
  /** Only sagas created before this instant (served from the indexes' order, no scan). */
  createdBefore?: EpochMs;
  /**
   * Only running sagas with an armed timer (a step deadline, a backoff, an approval deadline) due
   * before this instant and not fired: stuck past a deadline. Read from the shards' timer sets.
   */
  overdueBefore?: EpochMs;
  /** 1–500. @default 50 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ListPage {
  /** Newest first. A page may hold fewer than `limit` items and still have a `nextCursor`. */
  items: SagaSummary[];
  /** Present while there may be more: pass it back as `cursor`. */
  nextCursor?: string;
}

/** Sagas stored now (ended ones included, until purged) with this type, state and status. */
export interface SagaCount {
  type: string;
  state: string;
  status: SagaStatus;
  count: number;
}

export interface SagaStore {
  readonly keys: StoreKeys;
  /** The shard count (shards are numbered 0 … shards − 1). */
  readonly shards: number;
  shardOf: (sagaId: string) => number;

  /** Creates the saga (revision 1) with its first step's writes, unless the id is taken. */
  create(record: SagaRecord, write?: StepWrite): Promise<CreateResult>;
  load(sagaId: string): Promise<SagaRecord | undefined>;
  /** Loads many sagas in one pipelined round trip per shard; `undefined` where missing. */
  loadMany(sagaIds: readonly string[]): Promise<(SagaRecord | undefined)[]>;
  /**
   * Like `loadMany`, but a saga that cannot be read back answers its own error (e.g.
   * `CorruptRecordError`) instead of failing the others; it throws only when Redis fails.
   */
  loadEach(sagaIds: readonly string[]): Promise<LoadResult[]>;
  /** Writes `record` (revision `expectedRevision + 1`) if the saga is still at `expectedRevision`. */
  commit(expectedRevision: number, record: SagaRecord, write?: StepWrite): Promise<CommitResult>;
  /**
   * Commits many writes in one pipelined round trip per shard, each atomic on its own. Results
   * are in the items' order; a write refused for itself alone answers `rejected` and leaves the
   * others alone. It throws only when the failure is not one write's own (Redis unreachable, a
   * failover): then some commits may have been applied, and retrying is safe (the applied ones
   * then answer `conflict`).
   */
  commitMany(items: readonly CommitItem[]): Promise<CommitResult[]>;
  /** History, oldest first; at most `historyLimit` entries are kept per saga. */
  history(sagaId: string, page?: { offset?: number; limit?: number }): Promise<HistoryPage>;

  /**
   * Up to `limit` messages of a shard's outbox, oldest first, still there until acked. The
   * shard's owner passes the `epoch` it took the shard with: `ShardFencedError` when it moved.
   */
  readOutbox(shard: number, limit: number, epoch?: number): Promise<OutboxEntry[]>;
  /**
   * Deletes published entries and counts their batch done; returns how many were deleted.
   * Fenced by `epoch` as `readOutbox` is (nothing deleted then).
   */
  ackOutbox(shard: number, entryIds: readonly string[], epoch?: number): Promise<number>;
  /** Counts a batch that could not be published done (its entries stay in the outbox). */
  outboxBatchFailed(shard: number): Promise<void>;
  /**
   * The shard's relay batches started (a read that found entries) and finished: a pause waits
   * until `done` reaches the `read` it saw (outbox.ts).
   */
  relayBatches(shard: number): Promise<{ read: number; done: number }>;
  /** A relay took the shard: the batches of its former owner count as done. */
  relayBatchesTaken(shard: number): Promise<void>;
  /** Messages waiting in every shard's outbox. */
  outboxBacklog(): Promise<number>;
  /** Entries in each of these shards' outboxes, pipelined. */
  outboxLengths(shards: readonly number[]): Promise<number[]>;

  /**
   * Bumps each shard's owner epoch (the consumer group gave this instance the shards) and
   * returns the new epochs, pipelined: the fence the outbox and timer scripts check.
   */
  takeShards(shards: readonly number[]): Promise<number[]>;
  /** The shard's owner epoch now (0: never taken). */
  shardEpoch(shard: number): Promise<number>;

  /**
   * Claims up to `limit` timers of the shard due at `now`, in due order, for `leaseMs`: unless
   * a commit cancels them first, they are due again at `now + leaseMs`. Timers whose saga is
   * gone or no longer has them armed are dropped. Fenced by `epoch` as `readOutbox` is.
   */
  claimDueTimers(
    shard: number,
    now: number,
    limit: number,
    leaseMs: number,
    epoch?: number,
  ): Promise<ClaimResult>;
  /**
   * Removes a claimed timer that no commit will consume (the engine ignored it), unless it was
   * re-armed since the claim; true when removed.
   */
  discardClaimedTimer(claim: ClaimedTimer): Promise<boolean>;
  /**
   * The orchestrator could not work from `since` to `until`: the shard's timers due from `since`
   * on fire later by the part of that outage no earlier call covered. Returns how many moved and
   * by how much.
   */
  pauseTimers(
    shard: number,
    outage: { since: number; until: number },
  ): Promise<{ moved: number; byMs: number }>;
  pendingTimers(): Promise<number>;
  nextDueAt(shard: number): Promise<number | undefined>;
  /** `nextDueAt` of several shards, pipelined. */
  nextDueAtEach(shards: readonly number[]): Promise<(number | undefined)[]>;

  /** A page of sagas, newest first, filtered by any of the query's filters (see `ListQuery`). */
  listSagas(query?: ListQuery): Promise<ListPage>;
  /** Summaries of many sagas (pipelined); `undefined` where missing. */
  loadSummaries(sagaIds: readonly string[]): Promise<(SagaSummary | undefined)[]>;

  countsByTypeAndState(): Promise<SagaCount[]>;
  countsByStatus(): Promise<Partial<Record<SagaStatus, number>>>;

  /** Deletes ended sagas whose retention has passed (up to `limitPerShard` per shard). */
  purgeExpired(now: number, limitPerShard?: number): Promise<string[]>;
  /** Ended sagas waiting to be purged. */
  scheduledForPurge(): Promise<number>;
}
