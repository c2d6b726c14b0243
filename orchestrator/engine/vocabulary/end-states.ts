/**
 * The states every saga ends with, spread into the root `states` (`...kit.endStates`):
 *
 * ```
 * compensating (#compensating)       entry: saga.beginCompensation (records unknown outcomes)
 *   next        always → running if saga.hasCompensation, → #cancelled if saga.isCancelling,
 *                        → #compensated otherwise
 *   running  [awaiting:compensation]  entry: saga.beginCompensationAttempt, saga.sendCommand
 *                                     after saga.compensationTimeout: raise compensation.timedOut
 *     on compensation.succeeded → next (saga.compensationSucceeded)
 *     on compensation.failed / .timedOut → retrying if saga.mayRetryCompensation, else #parked
 *   retrying                          after saga.compensationBackoff → running
 * parked (#parked) [status:parked]   on saga.retry → #compensating (saga.resumeCompensation)
 * completed / compensated / failed / cancelled: final, tagged status:<name>
 * ```
 *
 * Compensations run one at a time, last recorded first. One that keeps failing parks the saga;
 * nothing is dropped, and `saga.retry` resumes with the same compensation.
 */
import { raise, type AnyEventObject, type EventObject } from 'xstate';
import { commandAttemptParam, type SendCommandParams } from './command-params.js';
import { nextCompensation, type SagaContext } from './context.js';
import {
  erasedSagaSetup,
  typedStateConfig,
  type ErasedStateConfig,
  type SagaStateConfig,
} from './kit-setup.js';
import {
  COMPENSATION_EVENTS,
  SAGA_SIGNALS,
  SAGA_STATE_IDS,
  awaitingTag,
  statusTag,
} from './names.js';

function compensationCommand(context: SagaContext<unknown>): SendCommandParams {
  const entry = nextCompensation(context);
  if (!entry) throw new Error('saga: compensation command asked for with an empty stack');
  return {
    step: entry.step,
    participant: entry.participant,
    command: entry.command,
    kind: 'compensation',
    attempt: context.steps[entry.step]?.compensationAttempt ?? 1,
    ...commandAttemptParam(context.steps[entry.step]?.compensationCommandAttempt),
    payload: entry.payload,
    timeoutMs: entry.timeoutMs,
  };
}

const retryOrPark = [
  {
    guard: 'saga.mayRetryCompensation',
    target: 'retrying',
    actions: 'saga.scheduleCompensationRetry',
  },
  { target: `#${SAGA_STATE_IDS.parked}`, actions: 'saga.compensationStuck' },
] as const;

const compensating: ErasedStateConfig = erasedSagaSetup.createStateConfig({
  id: SAGA_STATE_IDS.compensating,
  description: 'Undo what was done, last step first',
  entry: 'saga.beginCompensation',
  initial: 'next',
  states: {
    next: {
      always: [
        { guard: 'saga.hasCompensation', target: 'running' },
        { guard: 'saga.isCancelling', target: `#${SAGA_STATE_IDS.cancelled}` },
        { target: `#${SAGA_STATE_IDS.compensated}` },
      ],
    },
    running: {
      tags: [awaitingTag('compensation', '')],
      entry: [
        'saga.beginCompensationAttempt',
        { type: 'saga.sendCommand', params: ({ context }) => compensationCommand(context) },
      ],
      after: {
        'saga.compensationTimeout': {
          actions: raise(({ context }) => ({
            type: COMPENSATION_EVENTS.timedOut,
            step: nextCompensation(context)?.step ?? '',
          })),
        },
      },
      on: {
        [COMPENSATION_EVENTS.succeeded]: { target: 'next', actions: 'saga.compensationSucceeded' },
        [COMPENSATION_EVENTS.failed]: [...retryOrPark],
        [COMPENSATION_EVENTS.timedOut]: [...retryOrPark],
      },
    },
    retrying: { after: { 'saga.compensationBackoff': 'running' } },
  },
});

const parked: ErasedStateConfig = erasedSagaSetup.createStateConfig({
  id: SAGA_STATE_IDS.parked,
  description: 'A compensation ran out of retries; an operator sends saga.retry',
  tags: [statusTag('parked')],
  on: {
    [SAGA_SIGNALS.retry]: {
      target: `#${SAGA_STATE_IDS.compensating}`,
      actions: 'saga.resumeCompensation',
    },
  },
});

const finalState = (status: 'completed' | 'compensated' | 'failed' | 'cancelled') =>
  erasedSagaSetup.createStateConfig({
    id: SAGA_STATE_IDS[status],
    type: 'final',
    tags: [statusTag(status)],
  });

const endStates = {
  compensating,
  parked,
  completed: finalState('completed'),
  compensated: finalState('compensated'),
  failed: finalState('failed'),
  cancelled: finalState('cancelled'),
} satisfies Record<keyof typeof SAGA_STATE_IDS, ErasedStateConfig>;

/** The end states, typed for a definition's setup. */
export function sagaEndStates<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>(): Record<keyof typeof SAGA_STATE_IDS, SagaStateConfig<TInput, TSignals, TEmitted>> {
  return {
    compensating: typedStateConfig(endStates.compensating),
    parked: typedStateConfig(endStates.parked),
    completed: typedStateConfig(endStates.completed),
    compensated: typedStateConfig(endStates.compensated),
    failed: typedStateConfig(endStates.failed),
    cancelled: typedStateConfig(endStates.cancelled),
  };
}

const signals = {
  [SAGA_SIGNALS.cancel]: {
    guard: 'saga.canCancel',
    target: `#${SAGA_STATE_IDS.compensating}`,
    actions: 'saga.requestCancel',
  },
} as const;

/** The root `on` of a saga: `saga.cancel` while it goes forward runs the compensations. */
export function sagaSignals<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>(): NonNullable<SagaStateConfig<TInput, TSignals, TEmitted>['on']> {
  const root: ErasedStateConfig = erasedSagaSetup.createStateConfig({ on: signals });
  const typed = typedStateConfig<TInput, TSignals, TEmitted>(root);
  return typed.on ?? {};
}
