/**
 * The wire contract, version 1: the JSON values that cross Kafka between the orchestrator, the
 * participants and other services. The JSON Schemas in `schemas/v1/` are the source of truth for
 * other languages; these types mirror them and `validate.ts` checks values against the schemas.
 */

export const CONTRACT_VERSION = 1;

export type JsonObject = { [key: string]: unknown };

/** A command to one participant, on `<prefix>.<participant>.commands`, keyed by `sagaId`. */
export interface CommandMessage {
  /** Stable across re-sends of this command; a retry of the step gets a new one. */
  commandId: string;
  sagaId: string;
  sagaType: string;
  /** The command type, e.g. `ReserveItems`. */
  type: string;
  payload: JsonObject;
  /** 1 for the first try of a step, 2 for its first retry, … */
  attempt: number;
  issuedAt: string;
  /** After this instant the orchestrator has given up: the participant drops the command. */
  expiresAt: string;
  replyTopic: string;
}

export interface ReplyError {
  /** Stable, machine-readable, e.g. `OUT_OF_STOCK`. */
  code: string;
  message: string;
  /** `true`: the step may be retried; `false`: a business refusal that starts compensation. */
  retryable: boolean;
}

export type ReplyMessage =
  | {
      commandId: string;
      sagaId: string;
      type: string;
      outcome: 'success';
      payload?: JsonObject;
    }
  | {
      commandId: string;
      sagaId: string;
      type: string;
      outcome: 'failure';
      error: ReplyError;
      payload?: JsonObject;
    };

/** A start request on `<prefix>.requests`, keyed by the idempotency key or the saga id. */
export interface StartRequestMessage {
  type: string;
  input: JsonObject;
  id?: string;
  idempotencyKey?: string;
}

export const SAGA_STATUSES = [
  'running',
  'completed',
  'compensated',
  'failed',
  'parked',
  'cancelled',
] as const;
export type SagaStatus = (typeof SAGA_STATUSES)[number];

/**
 * The statuses after which nothing moves a saga again: the engine ignores every input, the store
 * may purge it after the retention. `parked` is not one (`saga.retry` resumes it).
 */
export const ENDED_SAGA_STATUSES: readonly SagaStatus[] = [
  'completed',
  'compensated',
  'failed',
  'cancelled',
];

/** Whether nothing moves a saga of this status again (see `ENDED_SAGA_STATUSES`). */
export function isEnded(status: SagaStatus): boolean {
  return ENDED_SAGA_STATUSES.includes(status);
}

/**
 * Whether a saga of this status is at rest: ended, or parked waiting for an operator. Waiting for
 * a saga's result (`GET /v1/sagas/{id}/result`) returns at rest.
 */
export function isAtRest(status: SagaStatus): boolean {
  return status !== 'running';
}

/** The lifecycle event names of version 1; definitions may emit more, consumers ignore unknown. */
export const LIFECYCLE_EVENTS = [
  'SagaStarted',
  'StepStarted',
  'StepSucceeded',
  'StepFailed',
  'StepTimedOut',
  'CompensationStarted',
  'SagaCompleted',
  'SagaCompensated',
  'SagaFailed',
  'SagaParked',
  'SagaCancelled',
] as const;
export type LifecycleEventName = (typeof LIFECYCLE_EVENTS)[number];

/** A lifecycle event on `<prefix>.events`, keyed by `sagaId`. */
export interface LifecycleEventMessage {
  sagaId: string;
  sagaType: string;
  /** The version of the saga definition that runs the saga. */
  version: string;
  event: LifecycleEventName | (string & {});
  status: SagaStatus;
  /** The statechart state after the event, as a dotted path (parallel regions joined by `,`). */
  state: string;
  at: string;
  data?: JsonObject;
}
