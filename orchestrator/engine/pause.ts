/**
 * Pausing and resuming a saga, as records: what the engine answers to an operator's `pause` and
 * `resume` (apply-event.ts applies the held replies after the resume).
 *
 * The rule for time: a deadline counts only time in which the saga could make progress (as for
 * the orchestrator's own outages, runtime/availability.ts). A paused saga cannot, so resuming it
 * moves every armed timer's `dueAt` and every pending command's `expiresAt` later by the time it
 * spent paused: a step deadline with 3 s left when the saga was paused has 3 s left when it is
 * resumed, and one that came due during the pause fires only after the resume.
 */
import type { ReplyMessage } from '../../wire/contract/index.js';
import { operatorEntry } from './history.js';
import type { AppliedStep, EpochMs, OperatorAudit, SagaRecord, StepResult } from './types.js';

/** The record paused by `audit` at `now`: nothing else changes (the runtime holds its sends). */
export function pauseSaga(record: SagaRecord, audit: OperatorAudit, now: EpochMs): StepResult {
  if (record.paused) {
    return { outcome: 'ignored', reason: 'saga-paused', detail: 'the saga is paused already' };
  }
  const paused: SagaRecord = {
    ...record,
    revision: record.revision + 1,
    updatedAt: now,
    paused: {
      at: now,
      actor: audit.actor,
      ...(audit.reason !== undefined ? { reason: audit.reason } : {}),
      role: audit.role,
      heldReplies: [],
    },
  };
  return {
    outcome: 'applied',
    record: paused,
    effects: [],
    history: [operatorEntry(now, 'pause', audit)],
  };
}

/**
 * The record resumed by `audit` at `now`, before its held replies are applied: the pause gone,
 * timers and pending deadlines moved later by the time it lasted. Returns the held replies too.
 */
export function resumedRecord(
  record: SagaRecord & { paused: NonNullable<SagaRecord['paused']> },
  audit: OperatorAudit,
  now: EpochMs,
): { step: AppliedStep; held: ReplyMessage[] } {
  const { paused, ...rest } = record;
  const pausedFor = Math.max(0, now - paused.at);
  const resumed: SagaRecord = {
    ...rest,
    revision: record.revision + 1,
    updatedAt: now,
    timers: record.timers.map((timer) => ({ ...timer, dueAt: timer.dueAt + pausedFor })),
    pending: record.pending.map((command) => ({
      ...command,
      expiresAt: command.expiresAt + pausedFor,
    })),
  };
  const entry = operatorEntry(now, 'resume', audit);
  entry.data = { ...entry.data, pausedForMs: pausedFor, heldReplies: paused.heldReplies.length };
  return {
    step: { outcome: 'applied', record: resumed, effects: [], history: [entry] },
    held: paused.heldReplies,
  };
}
