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
 */
import type { TopicNames } from '../contract/topics.js';
import type {
  ArmedTimer,
  Effect,
  HistoryEntry,
  SagaEngine,
  SagaInput,
  SagaRecord,
  StartOptions,
} from '../engine/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { OutgoingMessage } from '../transport/ports.js';
import type { Clock } from './clock.js';
import { outgoingMessages, type TraceHeaders } from './outgoing-messages.js';

/** The store operations the runner needs (the saga store has them). */
export interface StepStore {
  shardOf(sagaId: string): number;
  create(record: SagaRecord, write?: StepWrite): Promise<{ created: boolean; record: SagaRecord }>;
  loadMany(sagaIds: readonly string[]): Promise<(SagaRecord | undefined)[]>;
  commitMany(
    items: readonly { expectedVersion: number; record: SagaRecord; write?: StepWrite }[],
  ): Promise<
    (
      | { status: 'committed'; sagaId: string; version: number }
      | { status: 'conflict'; sagaId: string; currentVersion: number }
      | { status: 'missing'; sagaId: string }
    )[]
  >;
}

export interface StepWrite {
  outbox?: readonly OutgoingMessage[];
  timersToSet?: readonly ArmedTimer[];
  timersToCancel?: readonly string[];
  history?: readonly HistoryEntry[];
}

export interface SagaInputItem {
  sagaId: string;
  input: SagaInput;
}

export type ApplyOutcome =
  | { status: 'applied'; record: SagaRecord }
  | { status: 'ignored'; reason: string; detail?: string }
  | { status: 'unknown-saga' };

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
  logger: Logger;
  /** Told which shards got new outbox entries (the relay publishes them at once). */
  onOutbox?: (shards: ReadonlySet<number>) => void;
  /** Told about every input once its batch is written, for metrics and traces. */
  onApplied?: (item: SagaInputItem, outcome: ApplyOutcome) => void;
  publishLifecycleEvents?: boolean;
  traceHeaders?: TraceHeaders;
  /**
   * How often a batch is re-run for sagas whose commit lost a version race.
   * @default 5
   */
  maxConflictRetries?: number;
}

/** What one saga's inputs of a batch amount to. */
interface SagaWork {
  sagaId: string;
  indices: number[];
}

export class StepRunner {
  private readonly maxConflictRetries: number;

  constructor(private readonly options: StepRunnerOptions) {
    this.maxConflictRetries = options.maxConflictRetries ?? 5;
  }

  /** Starts a saga, or returns the one that already has this id (idempotent start). */
  async start(type: string, options: Omit<StartOptions, 'now'>): Promise<StartOutcome> {
    const { engine, store } = this.options;
    const result = engine.start(type, { ...options, now: this.options.clock.now() });
    if (result.outcome === 'rejected') {
      return {
        status: 'rejected',
        code: result.code,
        message: result.message,
        errors: result.errors,
      };
    }
    const write = this.writeFor(undefined, [
      { record: result.record, effects: result.effects, history: result.history },
    ]);
    const created = await store.create(result.record, write);
    if (!created.created) return { status: 'existing', record: created.record };
    this.announce([result.record.id], [write]);
    return { status: 'started', record: result.record };
  }

  /** Applies a batch of inputs; outcomes come back in the inputs' order. */
  async applyBatch(items: readonly SagaInputItem[]): Promise<ApplyOutcome[]> {
    const outcomes: ApplyOutcome[] = new Array<ApplyOutcome>(items.length);
    let work = groupBySaga(items);
    for (let round = 0; work.length > 0; round++) {
      if (round > this.maxConflictRetries) {
        throw new Error(
          `sagas ${work.map((w) => w.sagaId).join(', ')} kept losing version races; the batch is retried`,
        );
      }
      work = await this.applyRound(items, work, outcomes);
    }
    for (const [index, item] of items.entries()) {
      const outcome = outcomes[index];
      if (outcome) this.options.onApplied?.(item, outcome);
    }
    return outcomes;
  }

  /** One load → apply → commit round; returns the sagas that must go again (conflicts). */
  private async applyRound(
    items: readonly SagaInputItem[],
    work: readonly SagaWork[],
    outcomes: ApplyOutcome[],
  ): Promise<SagaWork[]> {
    const { engine, store, clock } = this.options;
    const records = await store.loadMany(work.map((w) => w.sagaId));
    const commits: {
      work: SagaWork;
      expectedVersion: number;
      record: SagaRecord;
      write: StepWrite;
    }[] = [];

    for (const [i, sagaWork] of work.entries()) {
      const loaded = records[i];
      if (!loaded) {
        for (const index of sagaWork.indices) outcomes[index] = { status: 'unknown-saga' };
        continue;
      }
      let record = loaded;
      const steps: { record: SagaRecord; effects: Effect[]; history: HistoryEntry[] }[] = [];
      for (const index of sagaWork.indices) {
        const item = items[index];
        if (!item) continue;
        const result = engine.apply(record, item.input, clock.now());
        if (result.outcome === 'applied') {
          record = result.record;
          steps.push(result);
          outcomes[index] = { status: 'applied', record };
        } else {
          outcomes[index] = { status: 'ignored', reason: result.reason, detail: result.detail };
        }
      }
      if (steps.length > 0) {
        commits.push({
          work: sagaWork,
          expectedVersion: loaded.version,
          record,
          write: this.writeFor(loaded, steps),
        });
      }
    }

    if (commits.length === 0) return [];
    const results = await store.commitMany(
      commits.map(({ expectedVersion, record, write }) => ({ expectedVersion, record, write })),
    );
    const again: SagaWork[] = [];
    const committed: { id: string; write: StepWrite }[] = [];
    for (const [i, result] of results.entries()) {
      const commit = commits[i];
      if (!commit) continue;
      if (result.status === 'committed') {
        committed.push({ id: commit.record.id, write: commit.write });
      } else if (result.status === 'conflict') {
        this.options.logger.debug('version race lost; re-applying from a fresh load', {
          sagaId: result.sagaId,
          currentVersion: result.currentVersion,
        });
        again.push(commit.work);
      } else {
        for (const index of commit.work.indices) outcomes[index] = { status: 'unknown-saga' };
      }
    }
    this.announce(
      committed.map((c) => c.id),
      committed.map((c) => c.write),
    );
    return again;
  }

  /**
   * The write for a saga's steps of one round: every step's messages in order (each lifecycle
   * event carries the state after its own step), the history, and the timers as the difference
   * between the armed timers before and after (so a timer set and cancelled within the round
   * never reaches Redis, and one cancelled and re-armed is simply re-set).
   */
  private writeFor(
    before: SagaRecord | undefined,
    steps: readonly {
      record: SagaRecord;
      effects: readonly Effect[];
      history: readonly HistoryEntry[];
    }[],
  ): StepWrite {
    const { topics, publishLifecycleEvents, traceHeaders } = this.options;
    const last = steps[steps.length - 1];
    const outbox = steps.flatMap((step) =>
      outgoingMessages(step.record, step.effects, { topics, publishLifecycleEvents, traceHeaders }),
    );
    const history = steps.flatMap((step) => step.history);
    const previous = new Map((before?.timers ?? []).map((t) => [t.timerId, t]));
    const next = new Map((last?.record.timers ?? []).map((t) => [t.timerId, t]));
    const timersToCancel = [...previous.keys()].filter((id) => {
      const after = next.get(id);
      return !after || after.dueAt !== previous.get(id)?.dueAt;
    });
    const timersToSet = [...next.values()].filter(
      (timer) => previous.get(timer.timerId)?.dueAt !== timer.dueAt,
    );
    return { outbox, history, timersToSet, timersToCancel };
  }

  private announce(sagaIds: readonly string[], writes: readonly StepWrite[]): void {
    const shards = new Set<number>();
    sagaIds.forEach((id, i) => {
      if ((writes[i]?.outbox?.length ?? 0) > 0) shards.add(this.options.store.shardOf(id));
    });
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
