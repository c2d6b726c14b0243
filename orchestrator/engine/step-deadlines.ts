/**
 * Step deadlines are named delays (`saga.stepTimeout.<step>`, see `stepTimeoutDelay`) whose
 * lengths `defineSaga()` provides. Two things follow, both handled here:
 *
 * - A machine whose delays were not provided (a definition built without `defineSaga`) would see
 *   XState fire an unknown delay at once — every attempt timing out as it starts. The registry
 *   refuses such a definition instead.
 * - Sagas stored before deadlines were named have timers with ids like
 *   `xstate.after.10000.order.reserveInventory.attempting` (the length in the id). The statechart
 *   no longer accepts that event, and its cancel names the new id, so such a timer would neither
 *   fire the deadline nor be cancelled (firing later into another attempt). `currentTimerEvent`
 *   maps a legacy step-deadline event to the named one when it fires, and `isLegacyTimerOf` lets
 *   a cancel or re-arm of the named id remove the legacy timer of the same state.
 */
import type { AnyStateMachine, AnyStateNode, EventObject } from 'xstate';
import { SagaEngineError } from './errors.js';
import type { SagaDefinition } from './types.js';
import { sagaStepsOf } from './vocabulary/introspect.js';
import { stepTimeoutDelay } from './vocabulary/names.js';

const LEGACY_AFTER = /^xstate\.after\.\d+\.(.+)$/;
const NAMED_STEP_DEADLINE = /^xstate\.after\.saga\.stepTimeout\.[^.]+\.(.+)$/;

/** Throws `DEFINITION_INVALID` when a step's deadline delay has no length. */
export function assertStepDeadlinesProvided(definition: SagaDefinition): void {
  const delays = (definition.machine.implementations.delays ?? {}) as Record<string, unknown>;
  for (const { step } of sagaStepsOf(definition.machine)) {
    const delay = delays[stepTimeoutDelay(step)];
    if (typeof delay !== 'number' && typeof delay !== 'function') {
      throw new SagaEngineError(
        'DEFINITION_INVALID',
        `saga ${definition.type} version ${definition.version}: step "${step}" has no deadline length (${stepTimeoutDelay(step)}); build the definition with defineSaga()`,
      );
    }
  }
}

/** The named step-deadline event a legacy `xstate.after.<ms>.<state>` event stands for, if any. */
export function currentTimerEvent<E extends EventObject>(machine: AnyStateMachine, event: E): E {
  const stateId = LEGACY_AFTER.exec(event.type)?.[1];
  if (!stateId) return event;
  let node: AnyStateNode;
  try {
    node = machine.getStateNodeById(stateId);
  } catch {
    return event;
  }
  const after = node.after as ReadonlyArray<{ eventType: string }>;
  const named = after.find((t) => NAMED_STEP_DEADLINE.test(t.eventType));
  return named ? { ...event, type: named.eventType } : event;
}

/** Whether `legacyId` is the pre-naming id of the same state's deadline as `timerId`. */
export function isLegacyTimerOf(legacyId: string, timerId: string): boolean {
  const stateId = NAMED_STEP_DEADLINE.exec(timerId)?.[1];
  return stateId !== undefined && LEGACY_AFTER.exec(legacyId)?.[1] === stateId;
}
