/**
 * The named actions, guards and delays the vocabulary's state configs refer to. A saga's
 * `setup()` gets them from `createSagaKit()`; a statechart refers to them by name, so its config
 * stays data. None of the actions does I/O: the engine reads `saga.sendCommand` from the list
 * `transition()` returns and turns it into a command; the others only update the context.
 */
import { assign, type EventObject } from 'xstate';
import type { ReplyError } from '../../../wire/contract/index.js';
import {
  type SagaUpdate,
  attemptsInRun,
  beginAttempt,
  beginCompensation,
  beginCompensationAttempt,
  beginStep,
  beginStepAttempt,
  compensationAttemptsInRound,
  compensationStuck,
  compensationSucceeded,
  noteTimeout,
  recordCompensation,
  recordFailure,
  requestCancel,
  resumeCompensation,
  scheduleCompensationRetry,
  scheduleRetry,
  stepFailed,
  stepGaveUp,
  stepSucceeded,
} from './bookkeeping.js';
import type { BackoffPolicy } from './backoff.js';
import { SEND_COMMAND_ACTION, type SendCommandParams } from './command-params.js';
import {
  nextCompensation,
  type CompensationEntry,
  type SagaContext,
  type SagaFailure,
} from './context.js';

/** Reads `error` off an event that may carry one (failure replies do, deadlines do not). */
function errorOf(event: EventObject): ReplyError | undefined {
  const error = (event as { error?: ReplyError }).error;
  return error && typeof error.code === 'string' ? error : undefined;
}

function stepOf(event: EventObject): string | undefined {
  const step = (event as { step?: unknown }).step;
  return typeof step === 'string' ? step : undefined;
}

function payloadOf(event: EventObject) {
  const payload = (event as { payload?: unknown }).payload;
  return payload != null && typeof payload === 'object' && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)
    : {};
}

/** The action, guard and delay implementations for a saga whose input is `TInput`. */
export function sagaImplementations<TInput, TEvent extends EventObject>() {
  type C = SagaContext<TInput>;
  const update = <P>(change: (context: C, params: P, event: TEvent) => SagaUpdate) =>
    assign<C, TEvent, P, TEvent, never>(({ context, event }, params) =>
      change(context, params, event),
    );

  const actions = {
    /**
     * Sends a command to a participant. Runs nothing: the engine turns it into a command in the
     * outbox. Its params are the whole command (see `SendCommandParams`).
     */
    [SEND_COMMAND_ACTION]: (_args: unknown, _params: SendCommandParams) => {},
    'saga.beginStep': update<{ step: string }>((c, p) => beginStep(c, p.step)),
    'saga.beginAttempt': update<{ step: string; compensationIfUnknown: CompensationEntry | null }>(
      (c, p) => beginAttempt(c, p.step, p.compensationIfUnknown),
    ),
    /** `saga.beginStep` and `saga.beginAttempt` in one context update (see `beginStepAttempt`). */
    'saga.beginStepAttempt': update<{
      step: string;
      compensationIfUnknown: (context: SagaContext<unknown>) => CompensationEntry | null;
    }>((c, p) => beginStepAttempt(c, p.step, p.compensationIfUnknown)),
    'saga.noteTimeout': update<{ step: string }>((c, p) => noteTimeout(c, p.step)),
    'saga.scheduleRetry': update<{ step: string; backoff: BackoffPolicy }>((c, p, e) =>
      scheduleRetry(c, p.step, p.backoff, errorOf(e)),
    ),
    /** Params: the step, and how to make its compensation's entry when it has one. */
    'saga.stepSucceeded': update<{
      step: string;
      compensationFor?: (context: SagaContext<unknown>) => CompensationEntry | null;
    }>((c, p, e) => stepSucceeded(c, p.step, payloadOf(e), p.compensationFor)),
    /** Puts a step's compensation on the stack; params: the entry (usually computed from context). */
    'saga.recordCompensation': update<CompensationEntry>((c, p) => recordCompensation(c, p)),
    'saga.stepFailed': update<{ step: string }>((c, p, e) =>
      stepFailed(
        c,
        p.step,
        errorOf(e) ?? { code: 'STEP_FAILED', message: 'failed', retryable: false },
      ),
    ),
    'saga.stepGaveUp': update<{ step: string; timeoutMs: number }>((c, p) =>
      stepGaveUp(c, p.step, p.timeoutMs),
    ),
    /** Notes why the saga stops going forward (for a failure that is not a reply: a rejection…). */
    'saga.recordFailure': update<SagaFailure>((c, p) => recordFailure(c, p)),
    'saga.beginCompensation': update<undefined>((c) => beginCompensation(c)),
    'saga.beginCompensationAttempt': update<undefined>((c) => beginCompensationAttempt(c)),
    'saga.scheduleCompensationRetry': update<undefined>((c, _p, e) =>
      scheduleCompensationRetry(c, errorOf(e)),
    ),
    'saga.compensationSucceeded': update<undefined>((c) => compensationSucceeded(c)),
    'saga.compensationStuck': update<undefined>((c, _p, e) => compensationStuck(c, errorOf(e))),
    'saga.resumeCompensation': update<undefined>((c) => resumeCompensation(c)),
    'saga.requestCancel': update<undefined>((c, _p, e) =>
      requestCancel(c, (e as { reason?: string }).reason),
    ),
  };

  const guards = {
    /** Another attempt is allowed: attempts remain and the failure (if any) is retryable. */
    'saga.mayRetryStep': (
      { context, event }: { context: C; event: TEvent },
      params: { step: string; maxAttempts: number },
    ) => {
      const error = errorOf(event);
      if (error && !error.retryable) return false;
      const progress = context.steps[params.step];
      return progress !== undefined && attemptsInRun(progress) < params.maxAttempts;
    },
    'saga.hasCompensation': ({ context }: { context: C }) => context.compensations.length > 0,
    'saga.isCancelling': ({ context }: { context: C }) => context.cancelRequested,
    /** A saga can be cancelled while it goes forward (not once it compensates or has parked). */
    'saga.canCancel': ({ context }: { context: C }) => context.phase === 'forward',
    'saga.mayRetryCompensation': ({ context, event }: { context: C; event: TEvent }) => {
      const entry = nextCompensation(context);
      const error = errorOf(event);
      if (!entry || (error && !error.retryable)) return false;
      return compensationAttemptsInRound(context) < entry.maxAttempts;
    },
  };

  const delays = {
    /** The backoff the step's failure or deadline just scheduled (the event names the step). */
    'saga.retryBackoff': ({ context, event }: { context: C; event: TEvent }) => {
      const step = stepOf(event);
      return (step && context.steps[step]?.retryDelayMs) || 0;
    },
    'saga.compensationTimeout': ({ context }: { context: C }) =>
      nextCompensation(context)?.timeoutMs ?? 1,
    'saga.compensationBackoff': ({ context }: { context: C }) =>
      nextCompensation(context)?.retryDelayMs ?? 0,
  };

  return { actions, guards, delays };
}

export type SagaImplementations<TInput, TEvent extends EventObject> = ReturnType<
  typeof sagaImplementations<TInput, TEvent>
>;
