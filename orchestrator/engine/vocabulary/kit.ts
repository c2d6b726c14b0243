/**
 * `createSagaKit()`: everything a saga author needs, typed for one saga's input and signals.
 *
 * @example
 * ```ts
 * const kit = createSagaKit<OrderInput, { type: 'order.approve' }>();
 * export const machine = kit.setup.createMachine({
 *   id: 'order',
 *   context: kit.initialContext,
 *   initial: 'reserveInventory',
 *   on: kit.signals,
 *   states: {
 *     reserveInventory: {
 *       ...kit.step({ name: 'reserveInventory', participant: 'inventory', command: 'ReserveItems',
 *                     timeoutMs: 10_000, payload: ({ input }) => ({ orderId: input.orderId }) }),
 *       onDone: 'completed',
 *     },
 *     ...kit.endStates,
 *   },
 * });
 * ```
 */
import type { AnyEventObject, EventObject } from 'xstate';
import { initialSagaContext, type SagaContext, type SagaMachineInput } from './context.js';
import { sagaDeadline, type DeadlineOptions } from './deadline.js';
import { sagaEndStates, sagaSignals } from './end-states.js';
import { sagaSetup, type SagaStateConfig } from './kit-setup.js';
import { sagaStep, type StepOptions } from './step.js';

export function createSagaKit<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>() {
  return {
    /** XState's `setup()` result with the vocabulary; add your own with `.extend({ guards… })`. */
    setup: sagaSetup<TInput, TSignals, TEmitted>(),
    /** `context: kit.initialContext` */
    initialContext: (args: { input: SagaMachineInput<TInput> }): SagaContext<TInput> =>
      initialSagaContext(args),
    /** A step: command, deadline, retries, compensation (see `sagaStep`). Add `onDone`. */
    step: (options: StepOptions<TInput>): SagaStateConfig<TInput, TSignals, TEmitted> =>
      sagaStep<TInput, TSignals, TEmitted>(options),
    /**
     * A saga-level deadline on a state of your own (several steps, a parallel state): when it
     * passes, the failure `SAGA_DEADLINE` is recorded and the saga compensates (see `sagaDeadline`).
     */
    deadline: (
      options: DeadlineOptions<TInput>,
      state: SagaStateConfig<TInput, TSignals, TEmitted>,
    ): SagaStateConfig<TInput, TSignals, TEmitted> =>
      sagaDeadline<TInput, TSignals, TEmitted>(options, state),
    /** `...kit.endStates` in the root states: compensating, parked and the final states. */
    endStates: sagaEndStates<TInput, TSignals, TEmitted>(),
    /** `on: kit.signals` at the root: `saga.cancel`. */
    signals: sagaSignals<TInput, TSignals, TEmitted>(),
  };
}
