/**
 * The names the engine and the saga vocabulary agree on: event types, state tags and reserved
 * state ids. They are plain strings so that a statechart stays data the visualizer can draw.
 */
import type { SagaStatus } from '../../../wire/contract/index.js';

/** Signals with a meaning to every saga (sent through the API or by an operator). */
export const SAGA_SIGNALS = {
  /** Run the compensations of what has been done and end `cancelled`. */
  cancel: 'saga.cancel',
  /** In `parked`: try the compensation that ran out of retries again. */
  retry: 'saga.retry',
} as const;

export type StepEventType =
  `step.${string}.succeeded` | `step.${string}.failed` | `step.${string}.timedOut`;

/** The event types of one step; `<step>` is the step name. */
export const stepEventTypes = (step: string) =>
  ({
    /** A participant replied `success` to the step's pending command. */
    succeeded: `step.${step}.succeeded`,
    /** A participant replied `failure` to the step's pending command. */
    failed: `step.${step}.failed`,
    /** The step's deadline passed with no reply (raised by the step's own `after`). */
    timedOut: `step.${step}.timedOut`,
  }) as const satisfies Record<string, StepEventType>;

/** Compensations run one at a time, so their events need no step in the type. */
/**
 * The named delay of a step attempt's deadline, e.g. `saga.stepTimeout.reserve`: its timer id is
 * `xstate.after.saga.stepTimeout.reserve.<state id>`, the same whatever the deadline's length, so
 * the length can change while sagas wait. `defineSaga()` provides each step's value.
 */
export const stepTimeoutDelay = (step: string) => `saga.stepTimeout.${step}` as const;

export const COMPENSATION_EVENTS = {
  succeeded: 'compensation.succeeded',
  failed: 'compensation.failed',
  timedOut: 'compensation.timedOut',
} as const;

/**
 * Event types only the engine may produce: a reply must come from a pending command and a timer
 * from an armed timer, never from a signal (else `POST /events` could forge a success).
 */
export const RESERVED_EVENT_PREFIXES = [
  'step.',
  'compensation.',
  'xstate.',
  'saga.deadline.',
] as const;

export function isReservedEventType(type: string): boolean {
  return RESERVED_EVENT_PREFIXES.some((prefix) => type.startsWith(prefix));
}

/** A state carrying `status:<status>` gives the saga that status while it is active. */
export const STATUS_TAG_PREFIX = 'status:';
export const statusTag = <S extends SagaStatus>(status: S) => `status:${status}` as const;

/**
 * A command stays pending while a state tagged with its awaiting tag is active: the statechart
 * waits for its reply there, and leaving that state (deadline, cancel, another region's failure)
 * stops the wait. Compensations run one at a time and share one tag.
 */
export function awaitingTag(kind: 'action' | 'compensation', step: string): string {
  return kind === 'action' ? `awaiting:${step}` : 'awaiting:compensation';
}

/**
 * Ids of the states the vocabulary adds to every saga (`sagaEndStates`). Steps target them as
 * `#compensating`, `#failed`… from any depth, including inside parallel regions; a definition
 * must not reuse these ids.
 */
export const SAGA_STATE_IDS = {
  compensating: 'compensating',
  parked: 'parked',
  completed: 'completed',
  compensated: 'compensated',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

/**
 * Step names appear in event types and command ids (`<sagaId>.<step>.<attempt>`), so they are
 * identifiers: no dots, no spaces.
 */
export const STEP_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function assertStepName(step: string): void {
  if (!STEP_NAME_PATTERN.test(step) || step === 'compensate') {
    throw new Error(
      `saga step name "${step}" is not usable: use letters, digits, '_' or '-', starting with a letter (and not "compensate")`,
    );
  }
}
