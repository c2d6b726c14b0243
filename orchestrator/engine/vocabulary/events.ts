/**
 * The events a saga statechart receives from the engine, and how a participant's reply becomes one.
 *
 * | reply to                 | outcome   | event                                             |
 * | ------------------------ | --------- | ------------------------------------------------- |
 * | a step's command         | `success` | `step.<step>.succeeded` { payload }               |
 * | a step's command         | `failure` | `step.<step>.failed` { error, payload? }          |
 * | a compensation command   | `success` | `compensation.succeeded` { payload }              |
 * | a compensation command   | `failure` | `compensation.failed` { error, payload? }         |
 *
 * Every one carries `step`, `commandId` and `attempt`. Deadlines raise `step.<step>.timedOut` /
 * `compensation.timedOut` inside the statechart (from its own `after`).
 */
import type { JsonObject, ReplyError, ReplyMessage } from '../../../wire/contract/index.js';
import { COMPENSATION_EVENTS, stepEventTypes, type SAGA_SIGNALS } from './names.js';

interface ReplyFields {
  step: string;
  commandId: string;
  attempt: number;
}

export interface StepSucceededEvent extends ReplyFields {
  type: `step.${string}.succeeded`;
  payload: JsonObject;
}

export interface StepFailedEvent extends ReplyFields {
  type: `step.${string}.failed`;
  error: ReplyError;
  payload?: JsonObject;
}

export interface StepTimedOutEvent {
  type: `step.${string}.timedOut`;
  step: string;
}

export interface CompensationSucceededEvent extends ReplyFields {
  type: typeof COMPENSATION_EVENTS.succeeded;
  payload: JsonObject;
}

export interface CompensationFailedEvent extends ReplyFields {
  type: typeof COMPENSATION_EVENTS.failed;
  error: ReplyError;
  payload?: JsonObject;
}

export interface CompensationTimedOutEvent {
  type: typeof COMPENSATION_EVENTS.timedOut;
  step: string;
}

export interface SagaCancelEvent {
  type: typeof SAGA_SIGNALS.cancel;
  reason?: string;
}

/** A saga-level deadline passed (raised by the durable timer `kit.deadline()` arms). */
export interface SagaDeadlineEvent {
  type: `saga.deadline.${string}`;
}

export interface SagaRetryEvent {
  type: typeof SAGA_SIGNALS.retry;
}

/**
 * Every event the statechart receives from the vocabulary; a definition adds its own signals to
 * this union. (Not the engine's `SagaEvent`: the reply, due timer or signal applied to a record.)
 */
export type SagaStatechartEvent =
  | StepSucceededEvent
  | StepFailedEvent
  | StepTimedOutEvent
  | CompensationSucceededEvent
  | CompensationFailedEvent
  | CompensationTimedOutEvent
  | SagaCancelEvent
  | SagaRetryEvent
  | SagaDeadlineEvent;

/** The reply events (what `replyEvent` returns). */
export type ReplyEvent =
  StepSucceededEvent | StepFailedEvent | CompensationSucceededEvent | CompensationFailedEvent;

/** The command a reply answers, as far as the mapping needs it. */
export interface RepliedCommand {
  commandId: string;
  step: string;
  kind: 'action' | 'compensation';
  attempt: number;
}

/** Turns a participant's reply to `command` into the statechart event (table above). */
export function replyEvent(command: RepliedCommand, reply: ReplyMessage): ReplyEvent {
  const fields: ReplyFields = {
    step: command.step,
    commandId: command.commandId,
    attempt: command.attempt,
  };
  const types = stepEventTypes(command.step);
  if (reply.outcome === 'success') {
    const payload = reply.payload ?? {};
    return command.kind === 'action'
      ? { type: types.succeeded, ...fields, payload }
      : { type: COMPENSATION_EVENTS.succeeded, ...fields, payload };
  }
  const error: ReplyError = {
    code: reply.error.code,
    message: reply.error.message,
    retryable: reply.error.retryable,
  };
  const extra = reply.payload ? { payload: reply.payload } : {};
  return command.kind === 'action'
    ? { type: types.failed, ...fields, error, ...extra }
    : { type: COMPENSATION_EVENTS.failed, ...fields, error, ...extra };
}
