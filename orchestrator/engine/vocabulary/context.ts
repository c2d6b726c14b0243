/**
 * What a saga remembers between steps: the statechart's context. It is plain JSON (it is persisted
 * as part of the snapshot) and is written only by the vocabulary's actions, except `data`, which
 * belongs to the saga author.
 */
import type { JsonObject, ReplyError } from '../../../wire/contract/index.js';
import type { BackoffPolicy } from './backoff.js';

/** What `initialTransition` receives: the engine passes the saga id with the checked input. */
export interface SagaMachineInput<TInput> {
  sagaId: string;
  input: TInput;
}

/**
 * Where a step is. `unknown`: the statechart gave up waiting (deadlines or retries ran out), so the
 * action may or may not have happened.
 */
export type StepStatus = 'inFlight' | 'retrying' | 'succeeded' | 'failed' | 'unknown';

export interface StepProgress {
  status: StepStatus;
  /** Attempts ever made; never reset. */
  attempt: number;
  /**
   * The attempt whose command id the current attempt carries, when not its own: an attempt after
   * a deadline re-sends the command that got no answer (see `commandIdFor`).
   */
  commandAttempt?: number;
  /** The last attempt's deadline passed: the next attempt of this run re-sends its command. */
  resendCommand?: boolean;
  /** The first attempt of the current run of the step (a step entered again starts a new run). */
  runStartAttempt: number;
  /** An attempt of this run timed out: its action may have happened even if a later one failed. */
  uncertain: boolean;
  /** The compensation of this run is on the stack (or has run). */
  compensationRecorded: boolean;
  /** The success reply's payload. */
  result?: JsonObject;
  /** The last failure reply's error. */
  error?: ReplyError;
  /** The delay before the next retry, set when a retry is scheduled. */
  retryDelayMs?: number;
  /** The compensation to run if the outcome of this run becomes unknown (payload without a reply). */
  compensationIfUnknown?: CompensationEntry;
  /** Compensation attempts ever made for this step. */
  compensationAttempt: number;
  /** The compensation attempt whose command id the current one carries, when not its own. */
  compensationCommandAttempt?: number;
}

/** A recorded compensation: the command that undoes one step, with its retry bookkeeping. */
export interface CompensationEntry {
  step: string;
  participant: string;
  command: string;
  payload: JsonObject;
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** `completed`: the step succeeded; `unknown`: its outcome is unknown (see the compensation rules). */
  reason: 'completed' | 'unknown';
  /** The attempt that started the current round (a `saga.retry` from `parked` starts a new round). */
  roundStartAttempt: number;
  /** The last attempt's deadline passed: the next attempt re-sends its command (same id). */
  resendCommand?: boolean;
  retryDelayMs?: number;
  lastError?: ReplyError;
}

/** Why a saga stopped going forward. */
export interface SagaFailure {
  step?: string;
  code: string;
  message: string;
}

export interface SagaContext<TInput = unknown> {
  sagaId: string;
  input: TInput;
  /** `compensating` from the moment the compensations start; never goes back. */
  phase: 'forward' | 'compensating';
  /** A `saga.cancel` was accepted: the compensations end in `cancelled`. */
  cancelRequested: boolean;
  failure?: SagaFailure;
  steps: Record<string, StepProgress>;
  /** The compensation stack: the last entry runs first and is removed when it succeeds. */
  compensations: CompensationEntry[];
  /** Steps whose compensation succeeded, in the order they ran. */
  compensated: string[];
  /** Free space for the saga author (keep it JSON). */
  data: JsonObject;
}

/** The initial context; use as `context: initialSagaContext` in the machine config. */
export function initialSagaContext<TInput>({
  input,
}: {
  input: SagaMachineInput<TInput>;
}): SagaContext<TInput> {
  return {
    sagaId: input.sagaId,
    input: input.input,
    phase: 'forward',
    cancelRequested: false,
    steps: {},
    compensations: [],
    compensated: [],
    data: {},
  };
}

/** The progress of a step that has not run yet. */
export function newStepProgress(): StepProgress {
  return {
    status: 'inFlight',
    attempt: 0,
    runStartAttempt: 1,
    uncertain: false,
    compensationRecorded: false,
    compensationAttempt: 0,
  };
}

/** The compensation that runs next (the top of the stack). */
export function nextCompensation(context: SagaContext<unknown>): CompensationEntry | undefined {
  return context.compensations[context.compensations.length - 1];
}
