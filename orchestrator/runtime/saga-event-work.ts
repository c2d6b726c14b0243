/**
 * How the applier (saga-event-applier.ts) holds a batch while it works on it: the events grouped
 * per saga, what each round applied, and the writes waiting for their commit.
 */
import type { AppliedStep, SagaRecord } from '../engine/index.js';
import type { StepWrite } from '../store/index.js';
import type { SagaEventItem } from './saga-event-outcomes.js';

/** The events of one saga within a batch, by their index in the batch. */
export interface SagaWork {
  sagaId: string;
  indices: number[];
  /**
   * Load the saga from the store even if a recent record is kept (a re-run after the kept record
   * ignored or failed an event, or after a lost revision race).
   */
  reload?: boolean;
  /**
   * Apply one event per round: a write of several events was refused, so each goes on its own
   * until the one that cannot be written is found (and only it is dead-lettered).
   */
  oneByOne?: boolean;
  /** Version races this saga lost in this batch so far. */
  conflicts: number;
}

export interface AppliedEvent {
  step: AppliedStep;
  before: SagaRecord;
  item: SagaEventItem;
  /** Its index in the batch. */
  index: number;
}

export interface PendingCommit {
  work: SagaWork;
  /** The indices whose events this round looked at (all of the work's, or the first one). */
  indices: readonly number[];
  expectedRevision: number;
  record: SagaRecord;
  write: StepWrite;
  applied: AppliedEvent[];
}

/** The batch's events grouped per saga, each saga's in batch order. */
export function groupBySaga(items: readonly SagaEventItem[]): SagaWork[] {
  const bySaga = new Map<string, SagaWork>();
  items.forEach((item, index) => {
    const work = bySaga.get(item.sagaId);
    if (work) work.indices.push(index);
    else bySaga.set(item.sagaId, { sagaId: item.sagaId, indices: [index], conflicts: 0 });
  });
  return [...bySaga.values()];
}
