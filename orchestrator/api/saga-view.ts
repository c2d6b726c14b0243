/**
 * The JSON the API shows for a saga: the stored record with times as ISO strings, the context of
 * its statechart, a page of its history and what it waits for. `version` is the version of the
 * definition it runs on (as in the lifecycle events); `revision` is the record's own counter.
 */
import type { JsonObject } from '../../wire/contract/index.js';
import type { HistoryEntry, SagaEngine, SagaRecord } from '../engine/index.js';
import { traceIdOf, type HistoryPage, type SagaSummary } from '../store/index.js';
import { waitingFor, type WaitingFor } from './waiting-for.js';

const iso = (ms: number) => new Date(ms).toISOString();

export interface SagaSummaryView {
  id: string;
  type: string;
  version: string;
  revision: number;
  status: SagaRecord['status'];
  state: string;
  createdAt: string;
  updatedAt: string;
  /** The saga's trace id, when it started with tracing on (the console links to the trace). */
  traceId?: string;
  /** Present while an operator has the saga paused. */
  paused?: { at: string; actor: string; reason?: string };
}

export interface SagaView extends SagaSummaryView {
  context: JsonObject;
  idempotencyKey?: string;
  pending: Array<{
    commandId: string;
    step: string;
    participant: string;
    command: string;
    kind: 'action' | 'compensation';
    attempt: number;
    issuedAt: string;
    expiresAt: string;
  }>;
  timers: Array<{ timerId: string; dueAt: string; event: string }>;
  waitingFor: WaitingFor;
  history: Array<Omit<HistoryEntry, 'at'> & { at: string }>;
  historyPage: { offset: number; limit: number; total: number; dropped: number };
}

export function sagaSummaryView(summary: SagaSummary): SagaSummaryView {
  return {
    id: summary.id,
    type: summary.type,
    version: summary.definitionVersion,
    revision: summary.revision,
    status: summary.status,
    state: summary.state,
    createdAt: iso(summary.createdAt),
    updatedAt: iso(summary.updatedAt),
    ...(summary.traceId !== undefined ? { traceId: summary.traceId } : {}),
    ...(summary.paused ? { paused: pausedView(summary.paused) } : {}),
  };
}

function pausedView({ at, actor, reason }: NonNullable<SagaSummary['paused']>) {
  return { at: iso(at), actor, ...(reason !== undefined ? { reason } : {}) };
}

function contextOf(record: SagaRecord): JsonObject {
  const context = record.snapshot.context;
  return context != null && typeof context === 'object' && !Array.isArray(context)
    ? (context as JsonObject)
    : {};
}

export function sagaView(
  engine: Pick<SagaEngine, 'definitionOf'>,
  record: SagaRecord,
  history: HistoryPage,
  page: { offset: number; limit: number },
): SagaView {
  const { paused, ...rest } = record;
  return {
    ...sagaSummaryView({
      ...rest,
      traceId: traceIdOf(record.trace),
      ...(paused ? { paused } : {}),
    }),
    context: contextOf(record),
    ...(record.idempotencyKey !== undefined ? { idempotencyKey: record.idempotencyKey } : {}),
    pending: record.pending.map((c) => ({
      commandId: c.commandId,
      step: c.step,
      participant: c.participant,
      command: c.command,
      kind: c.kind,
      attempt: c.attempt,
      issuedAt: iso(c.issuedAt),
      expiresAt: iso(c.expiresAt),
    })),
    timers: record.timers.map((t) => ({
      timerId: t.timerId,
      dueAt: iso(t.dueAt),
      event: t.event.type,
    })),
    waitingFor: waitingFor(engine, record),
    history: history.entries.map((entry) => ({ ...entry, at: iso(entry.at) })),
    historyPage: { ...page, total: history.total, dropped: history.dropped },
  };
}
