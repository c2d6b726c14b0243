/**
 * The `setup()` every saga starts from: XState's own, with the saga context, the vocabulary's
 * events and the named actions, guards and delays. A definition adds its own with `.extend()`.
 */
import { setup, type AnyEventObject, type EventObject } from 'xstate';
import type { SagaContext, SagaMachineInput } from './context.js';
import type { SagaStatechartEvent } from './events.js';
import { sagaImplementations } from './implementations.js';

/**
 * @typeParam TInput - the saga's checked input (`context.input`).
 * @typeParam TSignals - the definition's own external events (e.g. `{ type: 'order.approve' }`).
 * @typeParam TEmitted - events the definition emits with `emit()` (they become lifecycle events).
 */
export function sagaSetup<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>() {
  const { actions, guards, delays } = sagaImplementations<TInput, SagaStatechartEvent | TSignals>();
  return setup({
    // XState infers the machine's types from this assertion; the value itself is never read.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    types: {} as {
      context: SagaContext<TInput>;
      events: SagaStatechartEvent | TSignals;
      input: SagaMachineInput<TInput>;
      emitted: TEmitted;
    },
    actions,
    guards,
    delays,
  });
}

export type SagaSetup<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
> = ReturnType<typeof sagaSetup<TInput, TSignals, TEmitted>>;

/** A state config typed for the saga vocabulary (what `createStateConfig` accepts). */
export type SagaStateConfig<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
> = Parameters<SagaSetup<TInput, TSignals, TEmitted>['createStateConfig']>[0];

/**
 * The vocabulary's own state configs are written against this erased setup (any input, no extra
 * signals) so the compiler checks them, then handed to a definition's typed setup: the context
 * and events they touch are the same for every saga.
 */
export const erasedSagaSetup = sagaSetup<unknown>();
export type ErasedStateConfig = SagaStateConfig<unknown>;

/** Hands an erased config to a definition's typed setup (see `erasedSagaSetup`). */
export function typedStateConfig<
  TInput,
  TSignals extends EventObject,
  TEmitted extends EventObject,
>(config: ErasedStateConfig): SagaStateConfig<TInput, TSignals, TEmitted> {
  return config as unknown as SagaStateConfig<TInput, TSignals, TEmitted>;
}
