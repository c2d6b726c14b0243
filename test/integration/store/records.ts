/** Saga records and writes for the store's integration tests. */
import { ENDED_SAGA_STATUSES } from '../../../wire/contract/index.js';
import type { ArmedTimer, HistoryEntry, SagaRecord } from '../../../orchestrator/engine/types.js';
import type { OutgoingMessage } from '../../../wire/transport/ports.js';

let sequence = 0;

/** A fresh saga id, unique within the test run. */
export function newSagaId(label = 'saga'): string {
  sequence += 1;
  return `${label}-${process.pid}-${sequence}`;
}

/** A revision-1 record, as the engine makes it when a saga starts. */
export function startedRecord(overrides: Partial<SagaRecord> = {}): SagaRecord {
  const createdAt = overrides.createdAt ?? 1_700_000_000_000;
  return {
    id: newSagaId(),
    type: 'order',
    definitionVersion: '1',
    revision: 1,
    status: 'running',
    state: 'reserving',
    snapshot: { status: 'active', value: 'reserving', context: { orderId: 'o-1' } },
    pending: [],
    timers: [],
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** The record one step later. */
export function nextRecord(
  record: SagaRecord,
  changes: Partial<Pick<SagaRecord, 'state' | 'status' | 'timers' | 'pending' | 'snapshot'>> = {},
  at = record.updatedAt + 1000,
): SagaRecord {
  return { ...record, ...changes, revision: record.revision + 1, updatedAt: at };
}

export function timer(timerId: string, dueAt: number): ArmedTimer {
  return { timerId, dueAt, event: { type: timerId } };
}

export function command(sagaId: string, n: number): OutgoingMessage {
  return {
    topic: 'saga.inventory.commands',
    key: sagaId,
    value: JSON.stringify({ sagaId, n }),
    headers: { 'saga-id': sagaId },
  };
}

export function historyLine(summary: string, at = 1_700_000_000_000): HistoryEntry {
  return { at, kind: 'transition', summary };
}

export const ENDED = ENDED_SAGA_STATUSES;
