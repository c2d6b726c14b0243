/**
 * Applies events (replies, due timers, signals) and starts to sagas: load the record, run the pure
 * engine, write the result atomically, wake the outbox relay. This is the one place where the
 * engine, the store and the outbox meet.
 *
 * Batches: the reply consumer hands over a whole Kafka batch. Inputs are grouped per saga (in
 * their order), every saga of the batch is loaded in one pipelined round trip, each saga's events
 * are applied one after another in memory, and all sagas are committed in one pipelined round
 * trip — one atomic script per saga, covering all of its events of the batch. A commit that loses
 * the revision race (another instance wrote first, e.g. during a rebalance) is re-run from a fresh
 * load; the engine is pure, so re-running is safe.
 *
 * Sagas this instance wrote a moment ago are not loaded at all: their last written record is
 * kept in memory (`RecentRecords`) and the commit's revision check tells whether it was still the
 * stored one. An event such a record would ignore is re-checked against a fresh load first.
 */
import { DLQ_ERROR_CODES, type TopicNames } from '../../wire/contract/index.js';
import type { SagaEngine, SagaRecord, StartOptions } from '../engine/index.js';
import { isRetriableStoreFailure, type SagaStore, type StepWrite } from '../store/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';
import type { Clock } from './clock.js';
import type { LifecycleEventLevel } from './outgoing-messages.js';
import { RecentRecords } from './recent-records.js';
import {
  asError,
  engineFailureCode,
  failed,
  type ApplyOutcome,
  type InputFailureCode,
  type SagaEventItem,
  type StartOutcome,
} from './saga-event-outcomes.js';
import { stepWriteFor, type StepWriteOptions } from './step-write.js';
import {
  groupBySaga,
  type AppliedEvent,
  type PendingCommit,
  type SagaWork,
} from './saga-event-work.js';

export type { ApplyOutcome, InputFailureCode, SagaEventItem, StartOutcome };

/** The store operations the applier needs. */
export type StepStore = Pick<SagaStore, 'shardOf' | 'create' | 'loadEach' | 'commitMany'>;

export interface SagaEventApplierOptions {
  engine: SagaEngine;
  store: StepStore;
  topics: TopicNames;
  clock: Clock;
  /** Told which shards got new outbox entries (the relay publishes them at once). */
  onOutbox?: (shards: ReadonlySet<number>) => void;
  /** Told after a saga's steps are written (e.g. to wake those waiting for its result). */
  onCommitted?: (record: SagaRecord) => void;
  hooks?: RuntimeHooks;
  /** Which lifecycle events are published. @default 'saga' (`DEFAULT_LIFECYCLE_EVENT_LEVEL`) */
  lifecycleEvents?: LifecycleEventLevel;
  /**
   * How often a batch is re-run for sagas whose commit lost a revision race.
   * @default 5
   */
  maxConflictRetries?: number;
  /**
   * Records of recently written sagas kept in memory so their next step skips the load; 0 loads
   * every time.
   * @default 4096
   */
  recentRecords?: number;
  /**
   * How long a kept record is trusted. Keep it well below the store's retention (see
   * `RecentRecords`).
   * @default 30_000
   */
  recentRecordMaxAgeMs?: number;
}

export class SagaEventApplier {
  private readonly maxConflictRetries: number;
  private readonly recent: RecentRecords;
  private readonly writeOptions: StepWriteOptions;

  constructor(private readonly options: SagaEventApplierOptions) {
    this.maxConflictRetries = options.maxConflictRetries ?? 5;
    this.recent = new RecentRecords({
      capacity: options.recentRecords ?? 4096,
      maxAgeMs: options.recentRecordMaxAgeMs ?? 30_000,
    });
    const { topics, lifecycleEvents, hooks } = options;
    this.writeOptions = {
      topics,
      ...(lifecycleEvents === undefined ? {} : { lifecycleEvents }),
      ...(hooks?.outgoingHeaders ? { traceHeaders: hooks.outgoingHeaders } : {}),
    };
  }

  /** Records kept in memory now (for tests and metrics). */
  recentRecordCount(): number {
    return this.recent.size;
  }

  /**
   * Starts a saga, or returns the one that already has this id (idempotent start). `headers` are
   * the start request's (trace context the saga's trace links to).
   */
  async start(
    type: string,
    options: Omit<StartOptions, 'now'>,
    headers?: MessageHeaders,
  ): Promise<StartOutcome> {
    const { engine, store, hooks } = this.options;
    const now = this.options.clock.now();
    const trace =
      options.trace ??
      hooks?.sagaTrace?.({
        sagaId: options.sagaId,
        sagaType: type,
        ...(headers ? { headers } : {}),
      });
    let result;
    try {
      result = engine.start(type, { ...options, ...(trace ? { trace } : {}), now });
    } catch (error) {
      return { status: 'error', code: DLQ_ERROR_CODES.engineError, error: asError(error) };
    }
    if (result.outcome === 'rejected') {
      const { code, message, errors } = result;
      return { status: 'rejected', code, message, errors };
    }
    const write = stepWriteFor(undefined, [result], this.writeOptions);
    let created;
    try {
      created = await store.create(result.record, write);
    } catch (error) {
      if (isRetriableStoreFailure(error)) throw error;
      return { status: 'error', code: DLQ_ERROR_CODES.storeRefused, error: asError(error) };
    }
    if (!created.created) return { status: 'existing', record: created.record };
    this.recent.set(result.record, this.options.clock.now());
    hooks?.stepWritten?.({
      after: result.record,
      effects: result.effects,
      at: now,
      ...(headers ? { eventHeaders: headers } : {}),
    });
    this.announce([{ record: result.record, write }]);
    return { status: 'started', record: result.record };
  }

  /**
   * Applies a batch of events; outcomes come back in the events' order. Any number of events of
   * one saga may be in the batch: they are applied in order and written together. An event that
   * fails for itself (the engine cannot run it, the store refuses its write, it names the wrong
   * saga type) answers `failed` and never fails the others; the call rejects only when the
   * infrastructure fails (Redis unreachable) or a saga keeps losing revision races.
   */
  async applyBatch(items: readonly SagaEventItem[]): Promise<ApplyOutcome[]> {
    const outcomes = new Array<ApplyOutcome>(items.length);
    let work = groupBySaga(items);
    while (work.length > 0) {
      const losing = work.filter((w) => w.conflicts > this.maxConflictRetries);
      if (losing.length > 0) {
        const ids = losing.map((w) => w.sagaId).join(', ');
        throw new Error(`sagas ${ids} kept losing revision races; the batch will be retried`);
      }
      work = await this.applyRound(items, work, outcomes);
    }
    return outcomes;
  }

  /**
   * One load → apply → commit round; returns the work of the next round (lost revision races,
   * events a remembered record could not apply, events left for later).
   */
  private async applyRound(
    items: readonly SagaEventItem[],
    work: readonly SagaWork[],
    outcomes: ApplyOutcome[],
  ): Promise<SagaWork[]> {
    const { engine, clock } = this.options;
    const records = await this.recordsFor(work);
    const now = clock.now();
    const commits: PendingCommit[] = [];
    const nextRound: SagaWork[] = [];

    for (const [i, sagaWork] of work.entries()) {
      const found = records[i];
      if (found && 'error' in found) {
        for (const index of sagaWork.indices) {
          outcomes[index] = failed('ENGINE_ERROR', found.error, `saga ${sagaWork.sagaId}`);
        }
        continue;
      }
      if (!found) {
        for (const index of sagaWork.indices) outcomes[index] = { status: 'unknown-saga' };
        continue;
      }
      const { record: loaded, fromMemory } = found;
      const indices = sagaWork.oneByOne ? sagaWork.indices.slice(0, 1) : sagaWork.indices;
      const rest = sagaWork.indices.slice(indices.length);
      let record = loaded;
      const applied: AppliedEvent[] = [];
      /** An event the remembered record ignored or failed on: only the stored record may say so. */
      let needsStoredRecord = false;
      for (const index of indices) {
        const item = items[index];
        if (!item) continue;
        if (item.sagaType !== undefined && item.sagaType !== loaded.type) {
          outcomes[index] = failed(
            'MISMATCH',
            new Error(
              `the input names saga type "${item.sagaType}"; saga ${loaded.id} is a ${loaded.type}`,
            ),
          );
          continue;
        }
        let result;
        try {
          result = engine.apply(record, item.event, now);
        } catch (error) {
          outcomes[index] = failed(engineFailureCode(error), asError(error));
          needsStoredRecord = true;
          continue;
        }
        if (result.outcome === 'applied') {
          applied.push({ step: result, before: record, item, index });
          record = result.record;
          outcomes[index] = { status: 'applied', record };
        } else {
          const { reason, detail } = result;
          outcomes[index] = { status: 'ignored', reason, record, ...(detail ? { detail } : {}) };
          needsStoredRecord = true;
        }
      }
      if (fromMemory && needsStoredRecord) {
        // Only the stored record may ignore an event (or fail on it): next round, from a load.
        this.recent.delete(sagaWork.sagaId);
        nextRound.push({ ...sagaWork, reload: true });
        continue;
      }
      if (applied.length > 0) {
        commits.push({
          work: sagaWork,
          indices,
          expectedRevision: loaded.revision,
          record,
          write: stepWriteFor(
            loaded,
            applied.map((a) => a.step),
            this.writeOptions,
          ),
          applied,
        });
      } else {
        if (!fromMemory) this.recent.set(loaded, now);
        if (rest.length > 0) nextRound.push({ ...sagaWork, indices: rest });
      }
    }

    const written = await this.commit(commits, outcomes, nextRound, now);
    this.reportIgnored(items, outcomes, nextRound);
    this.announce(written);
    return nextRound;
  }

  /** Commits the round's writes; sorts each saga into written, next round, or failed events. */
  private async commit(
    commits: readonly PendingCommit[],
    outcomes: ApplyOutcome[],
    nextRound: SagaWork[],
    now: number,
  ): Promise<{ record: SagaRecord; write: StepWrite }[]> {
    if (commits.length === 0) return [];
    const { store, hooks } = this.options;
    let results: Awaited<ReturnType<StepStore['commitMany']>>;
    try {
      results = await store.commitMany(
        commits.map(({ expectedRevision, record, write, applied }) => ({
          expectedRevision,
          record,
          write,
          steps: applied.length,
        })),
      );
    } catch (error) {
      // Some commits may have been applied: what is stored is unknown until the next load.
      for (const commit of commits) this.recent.delete(commit.work.sagaId);
      throw error;
    }
    const written: { record: SagaRecord; write: StepWrite }[] = [];
    for (const [i, result] of results.entries()) {
      const commit = commits[i];
      if (!commit) continue;
      const { work } = commit;
      const rest = work.indices.slice(commit.indices.length);
      if (result.status === 'committed') {
        written.push(commit);
        this.recent.set(commit.record, now);
        for (const { step, before, item } of commit.applied) {
          hooks?.stepWritten?.({
            before,
            after: step.record,
            effects: step.effects,
            event: item.event,
            ...(item.headers ? { eventHeaders: item.headers } : {}),
            at: now,
          });
        }
        // One event at a time goes on from the record just written (in memory), not from a load.
        if (rest.length > 0) nextRound.push({ ...work, indices: rest, reload: false });
        continue;
      }
      this.recent.delete(work.sagaId);
      if (result.status === 'conflict') {
        // Another writer got there first: forget this round's outcomes and start over.
        nextRound.push({ ...work, reload: true, conflicts: work.conflicts + 1 });
      } else if (result.status === 'rejected' && commit.applied.length > 1) {
        // Which of the events made the write unstorable? Each goes on its own to find out.
        nextRound.push({ ...work, reload: true, oneByOne: true });
      } else if (result.status === 'rejected') {
        // One event, so it is the one: the others of the round keep their outcomes.
        for (const { index } of commit.applied) {
          outcomes[index] = failed('STORE_REFUSED', result.error);
        }
        if (rest.length > 0) nextRound.push({ ...work, indices: rest, reload: true });
      } else {
        for (const index of work.indices) outcomes[index] = { status: 'unknown-saga' };
      }
    }
    return written;
  }

  private reportIgnored(
    items: readonly SagaEventItem[],
    outcomes: readonly ApplyOutcome[],
    nextRound: readonly SagaWork[],
  ): void {
    const { hooks } = this.options;
    if (!hooks?.eventIgnored) return;
    const retried = new Set(nextRound.flatMap((w) => w.indices));
    for (const [index, outcome] of outcomes.entries()) {
      const item = items[index];
      if (outcome?.status === 'ignored' && item && !retried.has(index)) {
        hooks.eventIgnored({
          sagaId: item.sagaId,
          sagaType: outcome.record.type,
          event: item.event,
          reason: outcome.reason,
        });
      }
    }
  }

  /**
   * Each saga's record: the one remembered from this instance's last write when there is one (and
   * the work does not ask for a reload), else loaded — all the loads of the round in one pipelined call. A saga that
   * cannot be read back answers its error.
   */
  private async recordsFor(
    work: readonly SagaWork[],
  ): Promise<({ record: SagaRecord; fromMemory: boolean } | { error: Error } | undefined)[]> {
    const now = this.options.clock.now();
    const found: ({ record: SagaRecord; fromMemory: boolean } | { error: Error } | undefined)[] =
      work.map((w) => {
        const record = w.reload ? undefined : this.recent.get(w.sagaId, now);
        return record ? { record, fromMemory: true } : undefined;
      });
    const missing = work.flatMap((w, i) => (found[i] ? [] : [i]));
    if (missing.length > 0) {
      const loaded = await this.options.store.loadEach(missing.map((i) => work[i]?.sagaId ?? ''));
      missing.forEach((workIndex, position) => {
        const result = loaded[position];
        if (result?.error) found[workIndex] = { error: result.error };
        else if (result?.record) found[workIndex] = { record: result.record, fromMemory: false };
        else this.recent.delete(work[workIndex]?.sagaId ?? '');
      });
    }
    return found;
  }

  private announce(written: readonly { record: SagaRecord; write: StepWrite }[]): void {
    const shards = new Set<number>();
    for (const { record, write } of written) {
      // A resume puts the messages a pause held back into the outbox (step-write.ts).
      if ((write.outbox?.length ?? 0) > 0 || write.outboxHold === 'release') {
        shards.add(this.options.store.shardOf(record.id));
      }
      this.options.onCommitted?.(record);
    }
    if (shards.size > 0) this.options.onOutbox?.(shards);
  }
}
