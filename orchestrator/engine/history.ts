/**
 * History lines for operators (`GET /v1/sagas/:id` shows them): short sentences with the ids
 * attached, one per thing that happened.
 */
import type { JsonObject, ReplyMessage } from '../../wire/contract/index.js';
import type { CommandEffect, EpochMs, HistoryEntry, PendingCommand } from './types.js';

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
