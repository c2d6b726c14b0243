/** The shapes that cross the store's API. */
import type { ArmedTimer, EpochMs, HistoryEntry, SagaRecord, SagaStatus } from '../engine/index.js';
import type { OutgoingMessage } from '../../wire/transport/index.js';

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
