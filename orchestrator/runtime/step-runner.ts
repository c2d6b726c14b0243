/**
 * Applies inputs (replies, due timers, signals, starts) to sagas: load the record, run the pure
 * engine, write the result atomically, wake the outbox relay. This is the one place where the
 * engine, the store and the outbox meet.
 *
 * Batches: the reply consumer hands over a whole Kafka batch. Inputs are grouped per saga (in
 * their order), every saga of the batch is loaded in one pipelined round trip, each saga's inputs
 * are applied one after another in memory, and all sagas are committed in one pipelined round
 * trip — one atomic script per saga, covering all of its inputs of the batch. A commit that loses
 * the version race (another instance wrote first, e.g. during a rebalance) is re-run from a fresh
 * load; the engine is pure, so re-running is safe.
 *
 * Sagas this instance wrote a moment ago are not loaded at all: their last written record is
 * kept in memory (`RecentRecords`) and the commit's version check tells whether it was still the
 * stored one. An input such a record would ignore is re-checked against a fresh load first.
 */
import type { TopicNames } from '../contract/topics.js';
import type {
  AppliedStep,
  SagaEngine,
  SagaInput,
  SagaRecord,
  StartOptions,
} from '../engine/types.js';
import type { SagaStore, StepWrite } from '../store/index.js';
import type { RuntimeHooks } from '../telemetry/runtime-hooks.js';
import type { MessageHeaders } from '../transport/ports.js';
import type { Clock } from './clock.js';
import { outgoingMessages, type LifecycleEventLevel } from './outgoing-messages.js';
import { RecentRecords } from './recent-records.js';

/** The store operations the runner needs. */
export type StepStore = Pick<SagaStore, 'shardOf' | 'create' | 'loadMany' | 'commitMany'>;

export interface SagaInputItem {
  sagaId: string;
  input: SagaInput;
  /** Headers of the Kafka message that carried the input (trace context), if any. */
  headers?: MessageHeaders;
}

export type ApplyOutcome =
  | { status: 'applied'; record: SagaRecord }
  | { status: 'ignored'; reason: string; detail?: string; record: SagaRecord }
  | { status: 'unknown-saga' }
  /**
   * The engine could not run this saga at all (its definition version is gone, its snapshot is
   * corrupt). The saga is left as it is; the caller dead-letters the input so nothing blocks.
   */
  | { status: 'error'; error: Error };

export type StartOutcome =
  | { status: 'started'; record: SagaRecord }
  | { status: 'existing'; record: SagaRecord }
  | {
      status: 'rejected';
      code: 'UNKNOWN_TYPE' | 'INVALID_INPUT';
      message: string;
      errors: string[];
    };

export interface StepRunnerOptions {
  engine: SagaEngine;
  store: StepStore;
  topics: TopicNames;
  clock: Clock;
  /** Told which shards got new outbox entries (the relay publishes them at once). */
  onOutbox?: (shards: ReadonlySet<number>) => void;
  /** Told after a saga's steps are written (e.g. to wake those waiting for its result). */
  onCommitted?: (record: SagaRecord) => void;
  hooks?: RuntimeHooks;
  /** @default true */
  publishLifecycleEvents?: boolean;
  /** Which lifecycle events are published (when they are). @default 'steps' */
  lifecycleEvents?: LifecycleEventLevel;
  /**
   * How often a batch is re-run for sagas whose commit lost a version race.
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

/** The inputs of one saga within a batch, by their index in the batch. */
interface SagaWork {
  sagaId: string;
  indices: number[];
  /** Load the saga from the store even if a recent record is kept (a re-run after a doubt). */
  reload?: boolean;
}

interface AppliedInput {
  step: AppliedStep;
  before: SagaRecord;
  item: SagaInputItem;
}

export class StepRunner {
  private readonly maxConflictRetries: number;
  private readonly recent: RecentRecords;

  constructor(private readonly options: StepRunnerOptions) {
    this.maxConflictRetries = options.maxConflictRetries ?? 5;
    this.recent = new RecentRecords({
      capacity: options.recentRecords ?? 4096,
      maxAgeMs: options.recentRecordMaxAgeMs ?? 30_000,
    });
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
    const result = engine.start(type, { ...options, ...(trace ? { trace } : {}), now });
    if (result.outcome === 'rejected') {
      const { code, message, errors } = result;
      return { status: 'rejected', code, message, errors };
    }
    const write = this.writeFor(undefined, [result]);
    const created = await store.create(result.record, write);
    if (!created.created) return { status: 'existing', record: created.record };
    this.recent.set(result.record, this.options.clock.now());
    hooks?.stepWritten?.({
      after: result.record,
      effects: result.effects,
      at: now,
      ...(headers ? { inputHeaders: headers } : {}),
    });
    this.announce([{ record: result.record, write }]);
    return { status: 'started', record: result.record };
  }

  /** Applies a batch of inputs; outcomes come back in the inputs' order. */
  async applyBatch(items: readonly SagaInputItem[]): Promise<ApplyOutcome[]> {
    const outcomes = new Array<ApplyOutcome>(items.length);
    let work = groupBySaga(items);
    for (let round = 0; work.length > 0; round++) {
      if (round > this.maxConflictRetries) {
        const ids = work.map((w) => w.sagaId).join(', ');
        throw new Error(`sagas ${ids} kept losing version races; the batch will be retried`);
      }
      work = await this.applyRound(items, work, outcomes);
    }
    return outcomes;
  }

  /** One load → apply → commit round; returns the sagas that must go again (conflicts, doubts). */
  private async applyRound(
    items: readonly SagaInputItem[],
    work: readonly SagaWork[],
    outcomes: ApplyOutcome[],
  ): Promise<SagaWork[]> {
    const { engine, store, clock, hooks } = this.options;
    const records = await this.recordsFor(work);
    const now = clock.now();
    const commits: {
      work: SagaWork;
      expectedVersion: number;
      record: SagaRecord;
      write: StepWrite;
      applied: AppliedInput[];
    }[] = [];
    const again: SagaWork[] = [];

    for (const [i, sagaWork] of work.entries()) {
      const found = records[i];
      if (!found) {
        for (const index of sagaWork.indices) outcomes[index] = { status: 'unknown-saga' };
        continue;
      }
      const { record: loaded, kept } = found;
      let record = loaded;
      const applied: AppliedInput[] = [];
      let doubt = false;
      for (const index of sagaWork.indices) {
        const item = items[index];
        if (!item) continue;
        let result;
        try {
          result = engine.apply(record, item.input, now);
        } catch (error) {
          outcomes[index] = { status: 'error', error: asError(error) };
          doubt = true;
          continue;
        }
        if (result.outcome === 'applied') {
          applied.push({ step: result, before: record, item });
          record = result.record;
          outcomes[index] = { status: 'applied', record };
        } else {
          const { reason, detail } = result;
          outcomes[index] = { status: 'ignored', reason, record, ...(detail ? { detail } : {}) };
          doubt = true;
        }
      }
      if (kept && doubt) {
        // Only the stored record may ignore an input (or fail on it): go again from a load.
        this.recent.delete(sagaWork.sagaId);
        again.push({ ...sagaWork, reload: true });
        continue;
      }
      if (applied.length > 0) {
        commits.push({
          work: sagaWork,
          expectedVersion: loaded.version,
          record,
          write: this.writeFor(
            loaded,
            applied.map((a) => a.step),
          ),
          applied,
        });
      } else if (!kept) {
        this.recent.set(loaded, now);
      }
    }

    let results: Awaited<ReturnType<StepStore['commitMany']>> = [];
    if (commits.length > 0) {
      try {
        results = await store.commitMany(
          commits.map(({ expectedVersion, record, write }) => ({ expectedVersion, record, write })),
        );
      } catch (error) {
        // Some commits may have been applied: what is stored is unknown until the next load.
        for (const commit of commits) this.recent.delete(commit.work.sagaId);
        throw error;
      }
    }
    const written: { record: SagaRecord; write: StepWrite }[] = [];
    for (const [i, result] of results.entries()) {
      const commit = commits[i];
      if (!commit) continue;
      if (result.status === 'committed') {
        written.push(commit);
        this.recent.set(commit.record, now);
        for (const { step, before, item } of commit.applied) {
          hooks?.stepWritten?.({
            before,
            after: step.record,
            effects: step.effects,
            input: item.input,
            ...(item.headers ? { inputHeaders: item.headers } : {}),
            at: now,
          });
        }
      } else if (result.status === 'conflict') {
        // Another writer got there first: forget this round's outcomes and start over.
        this.recent.delete(commit.work.sagaId);
        again.push({ ...commit.work, reload: true });
      } else {
        this.recent.delete(commit.work.sagaId);
        for (const index of commit.work.indices) outcomes[index] = { status: 'unknown-saga' };
      }
    }
    if (hooks?.inputIgnored) {
      const retried = new Set(again.flatMap((w) => w.indices));
      for (const [index, outcome] of outcomes.entries()) {
        const item = items[index];
        if (outcome?.status === 'ignored' && item && !retried.has(index)) {
          hooks.inputIgnored({
            sagaId: item.sagaId,
            sagaType: outcome.record.type,
            input: item.input,
            reason: outcome.reason,
          });
        }
      }
    }
    this.announce(written);
    return again;
  }

  /**
   * Each saga's record: the one kept from this instance's last write when there is one (and no
   * doubt about it), else loaded — all the loads of the round in one pipelined call.
   */
  private async recordsFor(
    work: readonly SagaWork[],
  ): Promise<({ record: SagaRecord; kept: boolean } | undefined)[]> {
    const now = this.options.clock.now();
    const found = work.map((w) => {
      const record = w.reload ? undefined : this.recent.get(w.sagaId, now);
      return record ? { record, kept: true } : undefined;
    });
    const missing = work.flatMap((w, i) => (found[i] ? [] : [i]));
    if (missing.length > 0) {
      const loaded = await this.options.store.loadMany(missing.map((i) => work[i]?.sagaId ?? ''));
      missing.forEach((workIndex, position) => {
        const record = loaded[position];
        if (record) found[workIndex] = { record, kept: false };
        else this.recent.delete(work[workIndex]?.sagaId ?? '');
      });
    }
    return found;
  }

  /**
   * The write for a saga's steps of one round: every step's messages in order (each lifecycle
   * event carries the state after its own step), the history, and the timers as the difference
   * between the armed timers before and after (so a timer set and cancelled within the round
   * never reaches Redis, and one cancelled and re-armed is simply re-set).
   */
  private writeFor(before: SagaRecord | undefined, steps: readonly AppliedStep[]): StepWrite {
    const { topics, publishLifecycleEvents, lifecycleEvents, hooks } = this.options;
    const last = steps[steps.length - 1];
    const outbox = steps.flatMap((step) =>
      outgoingMessages(step.record, step.effects, {
        topics,
        ...(publishLifecycleEvents === undefined ? {} : { publishLifecycleEvents }),
        ...(lifecycleEvents === undefined ? {} : { lifecycleEvents }),
        ...(hooks?.outgoingHeaders ? { traceHeaders: hooks.outgoingHeaders } : {}),
      }),
    );
    const history = steps.flatMap((step) => step.history);
    const previous = new Map((before?.timers ?? []).map((t) => [t.timerId, t]));
    const next = new Map((last?.record.timers ?? []).map((t) => [t.timerId, t]));
    const timersToCancel = [...previous.keys()].filter(
      (id) => next.get(id)?.dueAt !== previous.get(id)?.dueAt,
    );
    const timersToSet = [...next.values()].filter(
      (timer) => previous.get(timer.timerId)?.dueAt !== timer.dueAt,
    );
    return { outbox, history, timersToSet, timersToCancel };
  }

  private announce(written: readonly { record: SagaRecord; write: StepWrite }[]): void {
    const shards = new Set<number>();
    for (const { record, write } of written) {
      if ((write.outbox?.length ?? 0) > 0) shards.add(this.options.store.shardOf(record.id));
      this.options.onCommitted?.(record);
    }
    if (shards.size > 0) this.options.onOutbox?.(shards);
  }
}

function groupBySaga(items: readonly SagaInputItem[]): SagaWork[] {
  const bySaga = new Map<string, SagaWork>();
  items.forEach((item, index) => {
    const work = bySaga.get(item.sagaId);
    if (work) work.indices.push(index);
    else bySaga.set(item.sagaId, { sagaId: item.sagaId, indices: [index] });
  });
  return [...bySaga.values()];
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
