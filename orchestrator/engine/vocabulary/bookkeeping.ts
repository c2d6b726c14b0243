/**
 * The context updates behind the vocabulary's actions, as plain functions of the context: easy to
 * read and to test, and the only place that decides which steps must be compensated.
 *
 * The compensation rule: a step's outcome is known only when its participant says so. A success
 * is compensated; a non-retryable failure means the action did not happen, so there is nothing to
 * undo. Every other case is UNKNOWN and the step is compensated too: its deadline passed, it kept
 * failing with retryable errors until its attempts ran out, an earlier attempt timed out, or the
 * saga left it (cancel, another region failed) while its command was in flight or a retry was
 * scheduled. A compensation must therefore tolerate "the action never happened".
 */
import type { JsonObject, ReplyError } from '../../../wire/contract/index.js';
import { backoffDelay } from './backoff.js';
import {
  newStepProgress,
  nextCompensation,
  type CompensationEntry,
  type SagaContext,
  type SagaFailure,
  type StepProgress,
} from './context.js';

type Ctx = SagaContext<unknown>;
type Steps = Ctx['steps'];
/** A context update: never touches `input`, so it fits a saga of any input type. */
export type SagaUpdate = Partial<Omit<Ctx, 'input'>>;

function progressOf(context: Ctx, step: string): StepProgress {
  return context.steps[step] ?? newStepProgress();
}

function withStep(context: Ctx, step: string, change: Partial<StepProgress>): Steps {
  return { ...context.steps, [step]: { ...progressOf(context, step), ...change } };
}

/**
 * A copy without `keys`, the others in their order. Built key by key, not spread and `delete`d:
 * a `delete` turns the copy into a slow dictionary object, and this runs several times a step.
 */
function withoutKeys<T extends object, K extends keyof T>(value: T, keys: K[]): Omit<T, K> {
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (!(keys as (keyof T)[]).includes(key)) copy[key] = value[key];
  }
  return copy as Omit<T, K>;
}

/** Attempts made in the current run of a step (1 during the first attempt). */
export function attemptsInRun(progress: StepProgress): number {
  return progress.attempt - progress.runStartAttempt + 1;
}

/** The attempt whose command id the step's current attempt carries. */
export function commandAttemptOf(progress: StepProgress): number {
  return progress.commandAttempt ?? progress.attempt;
}

/** The compensation attempt whose command id the step's current compensation attempt carries. */
export function compensationCommandAttemptOf(progress: StepProgress): number {
  return progress.compensationCommandAttempt ?? progress.compensationAttempt;
}

/** A step is entered from outside: a new run starts (its attempts keep counting). */
export function beginStep(context: Ctx, step: string): Pick<Ctx, 'steps'> {
  return { steps: { ...context.steps, [step]: newRunOf(progressOf(context, step)) } };
}

function newRunOf(previous: StepProgress): StepProgress {
  const {
    result: _result,
    error: _error,
    retryDelayMs: _retryDelayMs,
    compensationIfUnknown: _compensationIfUnknown,
    resendCommand: _resendCommand,
    ...fresh
  } = previous;
  return {
    ...fresh,
    status: 'inFlight',
    runStartAttempt: previous.attempt + 1,
    uncertain: false,
    compensationRecorded: false,
  };
}

/**
 * An attempt starts; `compensationIfUnknown` is what to undo should its outcome stay unknown.
 * After a deadline it re-sends the unanswered command under its id: whether the participant acted
 * is unknown, and asking the same command again lets its ledger answer instead of acting twice
 * (even when the saga's record of the answer was lost, e.g. Redis reverted it). After a failure
 * reply it is a new command: the participant recorded that failure under the old id.
 */
export function beginAttempt(
  context: Ctx,
  step: string,
  compensationIfUnknown: CompensationEntry | null,
): Pick<Ctx, 'steps'> {
  const next = nextAttemptOf(progressOf(context, step), compensationIfUnknown);
  return { steps: { ...context.steps, [step]: next } };
}

function nextAttemptOf(
  previous: StepProgress,
  compensationIfUnknown: CompensationEntry | null,
): StepProgress {
  const attempt = previous.attempt + 1;
  const commandAttempt = previous.resendCommand ? commandAttemptOf(previous) : attempt;
  const {
    retryDelayMs: _retryDelayMs,
    compensationIfUnknown: _compensationIfUnknown,
    resendCommand: _resendCommand,
    commandAttempt: _commandAttempt,
    ...base
  } = previous;
  const next: StepProgress = { ...base, status: 'inFlight', attempt };
  if (commandAttempt !== attempt) next.commandAttempt = commandAttempt;
  if (compensationIfUnknown) next.compensationIfUnknown = compensationIfUnknown;
  return next;
}

/**
 * `beginStep` then `beginAttempt` in one update (one new context, not two, when a step is entered
 * from outside); `compensationIfUnknown` is given the context as `beginStep` leaves it, as it
 * would be given between the two.
 */
export function beginStepAttempt(
  context: Ctx,
  step: string,
  compensationIfUnknown: (context: Ctx) => CompensationEntry | null,
): Pick<Ctx, 'steps'> {
  const begun = newRunOf(progressOf(context, step));
  const entry = compensationIfUnknown({ ...context, steps: { ...context.steps, [step]: begun } });
  return { steps: { ...context.steps, [step]: nextAttemptOf(begun, entry) } };
}

/** The attempt's deadline passed: whatever happens next, it may have done its action. */
export function noteTimeout(context: Ctx, step: string): Pick<Ctx, 'steps'> {
  return { steps: withStep(context, step, { uncertain: true, resendCommand: true }) };
}

/** A retry is scheduled after `error` (absent after a timeout). */
export function scheduleRetry(
  context: Ctx,
  step: string,
  policy: CompensationEntry['backoff'],
  error: ReplyError | undefined,
): Pick<Ctx, 'steps'> {
  const progress = progressOf(context, step);
  const retryDelayMs = backoffDelay(
    policy,
    attemptsInRun(progress),
    `${context.sagaId}:${step}:${progress.attempt}`,
  );
  return {
    steps: withStep(context, step, {
      status: 'retrying',
      retryDelayMs,
      ...(error ? { error } : {}),
    }),
  };
}

/**
 * The step succeeded. With `compensationFor` (a step with a compensation), its compensation is
 * recorded in the same update: `compensationFor` is given the context with the success noted (the
 * reply as the step's `result`), as `recordCompensation` would be after it.
 */
export function stepSucceeded(
  context: Ctx,
  step: string,
  result: JsonObject,
  compensationFor?: (context: Ctx) => CompensationEntry | null,
): Pick<Ctx, 'steps'> | Pick<Ctx, 'steps' | 'compensations'> {
  const { compensationIfUnknown: _unknown, ...progress } = progressOf(context, step);
  const succeeded: StepProgress = { ...progress, status: 'succeeded', result };
  const steps = { ...context.steps, [step]: succeeded };
  const entry = compensationFor?.({ ...context, steps });
  if (!entry) return { steps };
  // recordCompensation's update, from `succeeded` (it has no compensationIfUnknown to drop).
  return {
    compensations: [...context.compensations, entry],
    steps: { ...steps, [step]: { ...succeeded, compensationRecorded: true } },
  };
}

/** Pushes a compensation on the stack (it runs before everything recorded earlier). */
export function recordCompensation(
  context: Ctx,
  entry: CompensationEntry,
): Pick<Ctx, 'steps' | 'compensations'> {
  // The entry for an unknown outcome is not needed once a compensation is on the stack.
  const { compensationIfUnknown: _unknown, ...progress } = progressOf(context, entry.step);
  return {
    compensations: [...context.compensations, entry],
    steps: { ...context.steps, [entry.step]: { ...progress, compensationRecorded: true } },
  };
}

/** The first failure is the one that sent the saga into compensation; later ones do not replace it. */
export function recordFailure(context: Ctx, failure: SagaFailure): SagaUpdate {
  return context.failure ? {} : { failure };
}

/** A failure reply the step will not retry: retryable errors that ran out leave the outcome unknown. */
export function stepFailed(context: Ctx, step: string, error: ReplyError): SagaUpdate {
  const progress = progressOf(context, step);
  const status = error.retryable ? 'unknown' : 'failed';
  // A refusal of a step that never timed out did nothing: no compensation can be needed.
  const known = status === 'failed' && !progress.uncertain;
  const kept = known ? withoutKeys(progress, ['compensationIfUnknown']) : progress;
  return {
    steps: { ...context.steps, [step]: { ...kept, status, error } },
    ...recordFailure(context, { step, code: error.code, message: error.message }),
  };
}

/** The step's deadlines ran out: its outcome is unknown. */
export function stepGaveUp(context: Ctx, step: string, timeoutMs: number): SagaUpdate {
  const progress = progressOf(context, step);
  return {
    steps: withStep(context, step, { status: 'unknown' }),
    ...recordFailure(context, {
      step,
      code: 'STEP_TIMED_OUT',
      message: `no reply within ${timeoutMs} ms (attempt ${progress.attempt})`,
    }),
  };
}

/** Whether leaving `progress` now leaves an action that may have happened and is not yet undone. */
export function outcomeUnknown(progress: StepProgress): boolean {
  if (progress.compensationRecorded || !progress.compensationIfUnknown) return false;
  switch (progress.status) {
    case 'inFlight':
    case 'retrying':
    case 'unknown':
      return true;
    case 'failed':
      return progress.uncertain;
    case 'succeeded':
      return false;
  }
}

/**
 * Compensation begins: steps whose outcome is unknown are put on the stack (on top: they are the
 * most recent), in the order they started.
 */
export function beginCompensation(context: Ctx): SagaUpdate {
  let next: Ctx = { ...context, phase: 'compensating' };
  // `next` accumulates the updates; only the changed fields are returned.
  for (const [step, progress] of Object.entries(context.steps)) {
    if (!outcomeUnknown(progress) || !progress.compensationIfUnknown) continue;
    next = { ...next, ...recordCompensation(next, progress.compensationIfUnknown) };
    if (progress.status !== 'failed') {
      next = { ...next, steps: withStep(next, step, { status: 'unknown' }) };
    }
  }
  return { phase: next.phase, steps: next.steps, compensations: next.compensations };
}

/** The compensation on top of the stack starts an attempt. */
export function beginCompensationAttempt(context: Ctx): Pick<Ctx, 'steps'> {
  const entry = nextCompensation(context);
  if (!entry) return { steps: context.steps };
  const progress = progressOf(context, entry.step);
  const attempt = progress.compensationAttempt + 1;
  // After a deadline the same compensation command is asked again (see beginAttempt).
  const commandAttempt = entry.resendCommand ? compensationCommandAttemptOf(progress) : attempt;
  const next: StepProgress = {
    ...withoutKeys(progress, ['compensationCommandAttempt']),
    compensationAttempt: attempt,
  };
  if (commandAttempt !== attempt) next.compensationCommandAttempt = commandAttempt;
  return { steps: { ...context.steps, [entry.step]: next } };
}

/** Attempts of the current compensation in its current round (1 during the first attempt). */
export function compensationAttemptsInRound(context: Ctx): number {
  const entry = nextCompensation(context);
  if (!entry) return 0;
  return progressOf(context, entry.step).compensationAttempt - entry.roundStartAttempt + 1;
}

function withTop(context: Ctx, change: Partial<CompensationEntry>): CompensationEntry[] {
  const entry = nextCompensation(context);
  if (!entry) return context.compensations;
  return [...context.compensations.slice(0, -1), { ...entry, ...change }];
}

export function scheduleCompensationRetry(
  context: Ctx,
  error: ReplyError | undefined,
): Pick<Ctx, 'compensations'> {
  const entry = nextCompensation(context);
  if (!entry) return { compensations: context.compensations };
  const attempt = progressOf(context, entry.step).compensationAttempt;
  const retryDelayMs = backoffDelay(
    entry.backoff,
    compensationAttemptsInRound(context),
    `${context.sagaId}:${entry.step}:compensate:${attempt}`,
  );
  // No error: the deadline passed, and the next attempt re-sends the same command.
  const next: CompensationEntry = {
    ...withoutKeys(entry, ['resendCommand']),
    retryDelayMs,
    ...(error ? { lastError: error } : { resendCommand: true }),
  };
  return { compensations: [...context.compensations.slice(0, -1), next] };
}

/** The compensation on top succeeded: it leaves the stack. */
export function compensationSucceeded(context: Ctx): Pick<Ctx, 'compensations' | 'compensated'> {
  const entry = nextCompensation(context);
  if (!entry) return { compensations: context.compensations, compensated: context.compensated };
  return {
    compensations: context.compensations.slice(0, -1),
    compensated: [...context.compensated, entry.step],
  };
}

/** The compensation on top ran out of retries (or cannot be retried): the saga parks on it. */
export function compensationStuck(
  context: Ctx,
  error: ReplyError | undefined,
): Pick<Ctx, 'compensations'> {
  const lastError = error ?? {
    code: 'COMPENSATION_TIMED_OUT',
    message: 'no reply to the compensation within its deadline',
    retryable: true,
  };
  return { compensations: withTop(context, { lastError }) };
}

/** `saga.retry` in `parked`: the compensation on top gets a new round of attempts. */
export function resumeCompensation(context: Ctx): Pick<Ctx, 'compensations'> {
  const entry = nextCompensation(context);
  if (!entry) return { compensations: context.compensations };
  const attempt = progressOf(context, entry.step).compensationAttempt;
  return { compensations: withTop(context, { roundStartAttempt: attempt + 1 }) };
}

export function requestCancel(context: Ctx, reason: string | undefined): SagaUpdate {
  return {
    cancelRequested: true,
    ...recordFailure(context, { code: 'CANCELLED', message: reason ?? 'cancelled' }),
  };
}
