/**
 * The lifecycle events the engine derives (published on `<prefix>.events`). The v1 names come
 * from the contract; the engine adds a few (consumers ignore names they do not know):
 * `CompensationSucceeded`, `CompensationFailed`, `CompensationTimedOut`, `SagaResumed`.
 * A definition's own `emit()` events are passed through as they are.
 */
import type {
  JsonObject,
  LifecycleEventName,
  ReplyMessage,
  SagaStatus,
} from '../../wire/contract/index.js';
import type { CommandEffect, LifecycleEffect, PendingCommand } from './types.js';

export const ENGINE_LIFECYCLE_EVENTS = [
  'CompensationSucceeded',
  'CompensationFailed',
  'CompensationTimedOut',
  'SagaResumed',
] as const;
type EventName = LifecycleEventName | (typeof ENGINE_LIFECYCLE_EVENTS)[number];

/**
 * The events about one step or compensation (several per saga). The others are about the saga as
 * a whole (started, ended, parked, resumed) or a definition's own `emit()`s; a deployment may
 * publish only those (`SAGA_LIFECYCLE_EVENTS=saga`), since the step events are most of the
 * records a saga costs on the wire and the history keeps the same facts.
 */
export const STEP_LIFECYCLE_EVENTS: ReadonlySet<string> = new Set<EventName>([
  'StepStarted',
  'StepSucceeded',
  'StepFailed',
  'StepTimedOut',
  'CompensationStarted',
  'CompensationSucceeded',
  'CompensationFailed',
  'CompensationTimedOut',
]);

const lifecycle = (event: EventName, data: JsonObject): LifecycleEffect => ({
  type: 'lifecycle',
  event,
  data,
});

export function sagaStarted(type: string, version: string): LifecycleEffect {
  return lifecycle('SagaStarted', { sagaType: type, definitionVersion: version });
}

export function commandSent(command: CommandEffect): LifecycleEffect {
  return lifecycle(command.kind === 'action' ? 'StepStarted' : 'CompensationStarted', {
    step: command.step,
    participant: command.participant,
    command: command.command,
    commandId: command.commandId,
    attempt: command.attempt,
  });
}

export function replyReceived(command: PendingCommand, reply: ReplyMessage): LifecycleEffect {
  const base = { step: command.step, commandId: command.commandId, attempt: command.attempt };
  const action = command.kind === 'action';
  if (reply.outcome === 'success') {
    return lifecycle(action ? 'StepSucceeded' : 'CompensationSucceeded', base);
  }
  return lifecycle(action ? 'StepFailed' : 'CompensationFailed', {
    ...base,
    code: reply.error.code,
    message: reply.error.message,
    retryable: reply.error.retryable,
  });
}

export function deadlinePassed(
  step: string,
  compensation: boolean,
  command: PendingCommand | undefined,
): LifecycleEffect {
  return lifecycle(compensation ? 'CompensationTimedOut' : 'StepTimedOut', {
    step,
    ...(command ? { commandId: command.commandId, attempt: command.attempt } : {}),
  });
}

const STATUS_EVENTS: Partial<Record<SagaStatus, EventName>> = {
  completed: 'SagaCompleted',
  compensated: 'SagaCompensated',
  failed: 'SagaFailed',
  parked: 'SagaParked',
  cancelled: 'SagaCancelled',
};

function pick(context: unknown, key: string): unknown {
  return context != null && typeof context === 'object'
    ? (context as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The event for a status change, with what an operator wants to know: why it failed, what was
 * undone, which compensation a parked saga is stuck on.
 */
export function statusChanged(
  from: SagaStatus | null,
  to: SagaStatus,
  context: unknown,
): LifecycleEffect | undefined {
  if (from === to) return undefined;
  if (from === 'parked' && to === 'running') return lifecycle('SagaResumed', {});
  const event = STATUS_EVENTS[to];
  if (!event) return undefined;
  const data: JsonObject = {};
  const failure = pick(context, 'failure');
  if (failure !== undefined && to !== 'completed') data.failure = failure;
  const compensated = pick(context, 'compensated');
  if (Array.isArray(compensated) && compensated.length > 0) data.compensated = compensated;
  if (to === 'parked') {
    const stack = pick(context, 'compensations');
    const top: unknown = Array.isArray(stack) ? stack[stack.length - 1] : undefined;
    if (top !== undefined) {
      data.step = pick(top, 'step');
      data.command = pick(top, 'command');
      data.error = pick(top, 'lastError');
    }
  }
  return lifecycle(event, data);
}
