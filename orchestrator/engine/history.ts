/**
 * History lines for operators (`GET /v1/sagas/:id` shows them): short sentences with the ids
 * attached, one per thing that happened.
 */
import type { JsonObject, ReplyMessage } from '../../wire/contract/index.js';
import type {
  CommandEffect,
  EpochMs,
  HistoryEntry,
  OperatorAudit,
  PendingCommand,
} from './types.js';

export function startedEntry(
  at: EpochMs,
  type: string,
  version: string,
  state: string,
): HistoryEntry {
  return { at, kind: 'started', summary: `${type} v${version} started in ${state}`, to: state };
}

export function commandEntry(at: EpochMs, command: CommandEffect): HistoryEntry {
  const what =
    command.kind === 'action'
      ? `${command.command} → ${command.participant}`
      : `compensate with ${command.command} → ${command.participant}`;
  return {
    at,
    kind: 'command',
    step: command.step,
    commandId: command.commandId,
    summary: `${command.step}: ${what} (attempt ${command.attempt})`,
    // The payload as sent, so an operator reads what the participant was asked without Kafka.
    data: {
      participant: command.participant,
      command: command.command,
      kind: command.kind,
      payload: command.payload,
    },
  };
}

export function replyEntry(
  at: EpochMs,
  command: PendingCommand,
  reply: ReplyMessage,
): HistoryEntry {
  const label = command.kind === 'action' ? command.command : `compensation ${command.command}`;
  const outcome =
    reply.outcome === 'success'
      ? 'succeeded'
      : `failed: ${reply.error.code} (${reply.error.retryable ? 'retryable' : 'not retryable'})`;
  const data: JsonObject = { outcome: reply.outcome, attempt: command.attempt };
  if (reply.outcome === 'failure') data.error = { ...reply.error };
  // What the participant answered (its result, checked against the step's reply schema).
  else if (reply.payload !== undefined) data.result = reply.payload;
  return {
    at,
    kind: 'reply',
    step: command.step,
    commandId: command.commandId,
    summary: `${command.step}: ${label} ${outcome} (attempt ${command.attempt})`,
    data,
  };
}

export function timerEntry(at: EpochMs, timerId: string, dueAt: EpochMs): HistoryEntry {
  return { at, kind: 'timer', summary: `timer fired: ${timerId}`, data: { timerId, dueAt } };
}

export function deadlineEntry(
  at: EpochMs,
  step: string,
  command: PendingCommand | undefined,
): HistoryEntry {
  const what = command ? `${command.command} (attempt ${command.attempt})` : 'its command';
  return {
    at,
    kind: 'timer',
    step,
    ...(command ? { commandId: command.commandId } : {}),
    summary: `${step}: no reply to ${what} before its deadline`,
  };
}

export function signalEntry(at: EpochMs, event: { type: string } & JsonObject): HistoryEntry {
  return { at, kind: 'signal', summary: `signal ${event.type}`, data: { ...event } };
}

export function abandonedEntry(at: EpochMs, command: PendingCommand): HistoryEntry {
  return {
    at,
    kind: 'command',
    step: command.step,
    commandId: command.commandId,
    summary: `${command.step}: stopped waiting for ${command.command} (attempt ${command.attempt})`,
    data: { abandoned: true },
  };
}

export function transitionEntry(
  at: EpochMs,
  from: string,
  to: string,
  status: string,
): HistoryEntry {
  return { at, kind: 'transition', from, to, summary: `${from} → ${to} (${status})` };
}

/** The operator actions the history records (`data.action` of a `kind: 'operator'` line). */
export type OperatorAction = 'pause' | 'resume' | 'cancel' | 'retry' | 'signal' | 'migrate';

const OPERATOR_VERBS: Record<Exclude<OperatorAction, 'signal'>, string> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  retry: 'retried',
  migrate: 'migrated',
};

/**
 * One line per operator action, e.g. `paused by alice: waiting for the supplier` or
 * `signal order.approve sent by bob`; a signal's event is kept in `data.event`.
 */
export function operatorEntry(
  at: EpochMs,
  action: OperatorAction,
  audit: OperatorAudit,
  event?: { type: string } & JsonObject,
): HistoryEntry {
  const what = action === 'signal' ? `signal ${event?.type ?? ''} sent` : OPERATOR_VERBS[action];
  const why = audit.reason !== undefined && audit.reason !== '' ? `: ${audit.reason}` : '';
  const data: JsonObject = { action, actor: audit.actor, role: audit.role };
  if (audit.reason !== undefined) data.reason = audit.reason;
  if (event) data.event = { ...event };
  return { at, kind: 'operator', summary: `${what} by ${audit.actor}${why}`, data };
}

/** A reply that reached a paused saga: kept, and applied when the saga is resumed. */
export function heldReplyEntry(
  at: EpochMs,
  command: PendingCommand,
  reply: ReplyMessage,
): HistoryEntry {
  const line = replyEntry(at, command, reply);
  return {
    ...line,
    summary: `reply held: paused — ${line.summary}`,
    data: { ...line.data, held: true },
  };
}

/**
 * A saga moved to another definition version by an operator (migrate-saga.ts), e.g. `migrated
 * from order v1 (awaitingApproval) to v2 (awaitingReview) by alice: new approval flow`.
 */
export function migrationEntry(
  at: EpochMs,
  audit: OperatorAudit,
  moved: {
    migration: { type: string; from: string; to: string };
    fromState: string;
    toState: string;
  },
): HistoryEntry {
  const { migration, fromState, toState } = moved;
  const entry = operatorEntry(at, 'migrate', audit);
  const why = audit.reason !== undefined && audit.reason !== '' ? `: ${audit.reason}` : '';
  return {
    ...entry,
    summary:
      `migrated from ${migration.type} v${migration.from} (${fromState}) ` +
      `to v${migration.to} (${toState}) by ${audit.actor}${why}`,
    from: fromState,
    to: toState,
    data: {
      ...entry.data,
      fromVersion: migration.from,
      toVersion: migration.to,
      fromState,
      toState,
    },
  };
}
