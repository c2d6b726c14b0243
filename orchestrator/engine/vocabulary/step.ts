/**
 * `sagaStep()`: the usual step — send a command to a participant, wait for the reply within a
 * deadline, retry retryable failures and deadlines with backoff, and on failure go compensate.
 *
 * The state it builds (for a step named `reserve`):
 *
 * ```
 * reserve                      initial → attempting (saga.beginStepAttempt, saga.sendCommand)
 *   attempting  [awaiting:reserve]   after saga.stepTimeout.reserve (timeoutMs, provided by
 *                                    defineSaga): saga.noteTimeout, raise step.reserve.timedOut
 *     on step.reserve.succeeded → done       (saga.stepSucceeded, its compensation recorded)
 *     on step.reserve.failed    → retrying   if saga.mayRetryStep (saga.scheduleRetry)
 *                               → onFailure  otherwise (saga.stepFailed)
 *     on step.reserve.timedOut  → retrying   if saga.mayRetryStep (saga.scheduleRetry)
 *                               → onFailure  otherwise (saga.stepGaveUp)
 *   retrying                         after saga.retryBackoff → attempting
 *                                      (saga.beginAttempt, saga.sendCommand)
 *   done (final)                     → the step's onDone
 * ```
 *
 * Only `attempting` listens to the step's events: a reply is meaningful while the command is in
 * flight and nowhere else (the engine enforces the same with `record.pending`).
 *
 * Success reaches the final child `done`, so the author routes on with XState's own `onDone`
 * (guards included), and a step can be a region of a parallel state as it is.
 */
import { raise, type EventObject, type AnyEventObject } from 'xstate';
import type { JsonObject } from '../../../wire/contract/index.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { commandAttemptParam, type SendCommandParams } from './command-params.js';
import type { CompensationEntry, SagaContext } from './context.js';
import { stepContractOf, type ContractSchemas, type StepContract } from './contract.js';
import {
  erasedSagaSetup,
  typedStateConfig,
  type ErasedStateConfig,
  type SagaStateConfig,
} from './kit-setup.js';
import {
  SAGA_STATE_IDS,
  assertStepName,
  awaitingTag,
  stepEventTypes,
  stepTimeoutDelay,
} from './names.js';

export interface RetryOptions {
  /** Attempts in all, the first one included; `1` means no retry. @default 3 */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
}

/**
 * How to undo a step. The command must be idempotent and must tolerate "the action never
 * happened": it also runs when the step's outcome is unknown (its deadline passed, its retries ran
 * out, or the saga was cancelled while its command was in flight), and then `reply` is undefined.
 */
export interface CompensationOptions<TInput> extends ContractSchemas {
  /** @default the step's participant */
  participant?: string;
  command: string;
  /** The payload; `reply` is the step's success payload, undefined when its outcome is unknown. */
  payload: (context: SagaContext<TInput>, reply: JsonObject | undefined) => JsonObject;
  /** @default the step's timeoutMs */
  timeoutMs?: number;
  /** Attempts per round before the saga parks. @default 5 */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
}

export interface StepOptions<TInput> extends ContractSchemas {
  /** Unique in the saga; appears in event types and command ids. */
  name: string;
  participant: string;
  command: string;
  payload: (context: SagaContext<TInput>) => JsonObject;
  /** How long to wait for a reply to one attempt. */
  timeoutMs: number;
  retry?: RetryOptions;
  /** How to undo the step; a step without one must say why in `noCompensation`. */
  compensation?: CompensationOptions<TInput>;
  /**
   * The explicit mark of a step that needs no compensation (e.g. it only reads, or it is the
   * pivot and a later step cannot fail). The definition check (`checkDefinition`) reports a step
   * with neither this nor `compensation`.
   */
  noCompensation?: { reason: string };
  /**
   * Where a failure goes (a state id, so it works from inside parallel regions).
   * @default '#compensating'
   */
  onFailure?: `#${string}`;
  description?: string;
}

export const DEFAULT_STEP_MAX_ATTEMPTS = 3;
export const DEFAULT_COMPENSATION_MAX_ATTEMPTS = 5;

/** The `meta` a step state carries, for the visualizer, the API and path-generating tests. */
export interface SagaStepMeta {
  kind: 'step';
  step: string;
  participant: string;
  command: string;
  timeoutMs: number;
  maxAttempts: number;
  /** Its compensation; `timeoutMs` is one compensation attempt's deadline. */
  compensation: { participant: string; command: string; timeoutMs: number } | null;
  /** Set when the step is marked as needing no compensation. */
  noCompensation?: { reason: string };
  /** The JSON Schemas of its command and reply, and of its compensation's (see `contract.ts`). */
  contract: StepContract;
}

function compensationEntryFor<TInput>(
  step: StepOptions<TInput>,
  erasedContext: SagaContext<unknown>,
  reply: JsonObject | undefined,
): CompensationEntry | null {
  const compensation = step.compensation;
  if (!compensation) return null;
  // The context of a saga whose input is TInput (the erased config cannot say so).
  const context = erasedContext as SagaContext<TInput>;
  return {
    step: step.name,
    participant: compensation.participant ?? step.participant,
    command: compensation.command,
    payload: compensation.payload(context, reply),
    timeoutMs: compensation.timeoutMs ?? step.timeoutMs,
    maxAttempts: compensation.maxAttempts ?? DEFAULT_COMPENSATION_MAX_ATTEMPTS,
    backoff: { ...DEFAULT_BACKOFF, ...compensation.backoff },
    reason: reply === undefined ? 'unknown' : 'completed',
    roundStartAttempt: (context.steps[step.name]?.compensationAttempt ?? 0) + 1,
  };
}

/** Builds the step state; see the file comment for its shape. */
export function sagaStep<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>(options: StepOptions<TInput>): SagaStateConfig<TInput, TSignals, TEmitted> {
  const step = options.name;
  assertStepName(step);
  if (!(options.timeoutMs > 0)) throw new Error(`saga step "${step}": timeoutMs must be > 0`);
  const maxAttempts = options.retry?.maxAttempts ?? DEFAULT_STEP_MAX_ATTEMPTS;
  const backoff: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.retry?.backoff };
  const onFailure = options.onFailure ?? `#${SAGA_STATE_IDS.compensating}`;
  const events = stepEventTypes(step);
  const retry = {
    guard: { type: 'saga.mayRetryStep', params: { step, maxAttempts } },
    target: 'retrying',
    actions: { type: 'saga.scheduleRetry', params: { step, backoff } },
  } as const;
  const meta: SagaStepMeta = {
    kind: 'step',
    step,
    participant: options.participant,
    command: options.command,
    timeoutMs: options.timeoutMs,
    maxAttempts,
    compensation: options.compensation
      ? {
          participant: options.compensation.participant ?? options.participant,
          command: options.compensation.command,
          timeoutMs: options.compensation.timeoutMs ?? options.timeoutMs,
        }
      : null,
    ...(options.noCompensation
      ? { noCompensation: { reason: options.noCompensation.reason } }
      : {}),
    contract: stepContractOf(options),
  };

  const timedOut = { type: events.timedOut, step };
  const on = {
    [events.succeeded]: {
      target: 'done',
      // One context update: the success and, from the context it leaves, the compensation.
      actions: {
        type: 'saga.stepSucceeded',
        params: {
          step,
          ...(options.compensation
            ? {
                compensationFor: (context: SagaContext<unknown>) =>
                  compensationEntryFor(options, context, context.steps[step]?.result ?? {}),
              }
            : {}),
        },
      },
    },
    [events.failed]: [
      retry,
      { target: onFailure, actions: { type: 'saga.stepFailed', params: { step } } },
    ],
    [events.timedOut]: [
      retry,
      {
        target: onFailure,
        actions: { type: 'saga.stepGaveUp', params: { step, timeoutMs: options.timeoutMs } },
      },
    ],
  };

  const sendCommand = {
    type: 'saga.sendCommand',
    params: ({ context }: { context: SagaContext<unknown> }): SendCommandParams => ({
      step,
      participant: options.participant,
      command: options.command,
      kind: 'action',
      attempt: context.steps[step]?.attempt ?? 1,
      ...commandAttemptParam(context.steps[step]?.commandAttempt),
      payload: options.payload(context as SagaContext<TInput>),
      timeoutMs: options.timeoutMs,
    }),
  } as const;
  const compensationIfUnknown = (context: SagaContext<unknown>) =>
    compensationEntryFor(options, context, undefined);

  // An attempt begins on the way into `attempting` (the step's initial transition, or the retry
  // from `retrying`), not in its entry: entered from outside, the new run and the attempt are then
  // one context update (each update is a whole new XState snapshot). The effects keep their order
  // (the command, then attempting's deadline timer); an entry action on the step state itself (a
  // `sagaDeadline` around it) now runs before the run begins, not after.
  const config = erasedSagaSetup.createStateConfig({
    description: options.description ?? `${options.participant}.${options.command}`,
    meta: { saga: meta },
    initial: {
      target: 'attempting',
      actions: [
        { type: 'saga.beginStepAttempt', params: { step, compensationIfUnknown } },
        sendCommand,
      ],
    },
    states: {
      attempting: {
        tags: [awaitingTag('action', step)],
        // Named, not `[timeoutMs]`: the timer id must not change with the deadline's length. The
        // name is per step, so the setup's typed delay names cannot list it (hence the cast).
        after: {
          [stepTimeoutDelay(step)]: {
            actions: [{ type: 'saga.noteTimeout', params: { step } }, raise(timedOut)],
          },
        } as ErasedStateConfig['after'],
        on: on as ErasedStateConfig['on'],
      },
      retrying: {
        after: {
          'saga.retryBackoff': {
            target: 'attempting',
            actions: [
              {
                type: 'saga.beginAttempt',
                params: ({ context }) => ({
                  step,
                  compensationIfUnknown: compensationIfUnknown(context),
                }),
              },
              sendCommand,
            ],
          },
        },
      },
      done: { type: 'final' },
    },
  });
  return typedStateConfig<TInput, TSignals, TEmitted>(config);
}
