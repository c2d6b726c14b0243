/**
 * Paths through a saga's statechart generated from its graph (XState's `getShortestPaths`), so a
 * test can visit every step without listing the ways to reach it: for each reachable state where a
 * step's command is in flight, the shortest way there (succeeding earlier steps and sending the
 * given signals) and the steps completed on the way.
 *
 * @example
 * ```ts
 * for (const path of stepPaths(orderSaga, input, { signals: [{ type: 'order.approve' }] })) {
 *   const sim = simulateSaga(orderSaga, input);
 *   path.replay(sim);
 *   sim.fail(path.step, { code: 'REFUSED' });
 *   // the completed steps' compensations ran, last first…
 * }
 * ```
 */
import { getNextTransitions, type AnyMachineSnapshot, type EventObject } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { JsonObject } from '../../../wire/contract/index.js';
import type { SagaDefinition } from '../types.js';
import { sagaStepsOf, type SagaStepInfo } from '../vocabulary/introspect.js';
import type { StepSucceededEvent } from '../vocabulary/events.js';
import { awaitingTag } from '../vocabulary/names.js';
import type { SagaSimulation } from './simulator.js';

export interface StepPath {
  /** A step whose command is in flight at the end of the path. */
  step: string;
  /** Steps that succeeded on the way, in the order they succeeded. */
  succeeded: string[];
  /** Other steps in flight at the same time (parallel regions), in document order. */
  alsoInFlight: string[];
  /** The statechart events of the path, e.g. `step.reserve.succeeded > order.approve`. */
  description: string;
  /** Drives a simulation (started with the same input) along the path. */
  replay(sim: SagaSimulation): void;
}

const SUCCEEDED = /^step\.([^.]+)\.succeeded$/;

/**
 * @param options.signals - external events to try wherever the statechart accepts them
 * @param options.replyPayload - the success payload used for a step along the path
 */
export function stepPaths(
  definition: SagaDefinition,
  input: unknown,
  options: {
    signals?: ({ type: string } & JsonObject)[];
    replyPayload?: (step: string) => JsonObject;
  } = {},
): StepPath[] {
  const steps = sagaStepsOf(definition.machine);
  const signals = options.signals ?? [];
  const events = (snapshot: AnyMachineSnapshot): EventObject[] => {
    const accepted = new Set(getNextTransitions(snapshot).map((t): string => String(t.eventType)));
    const out: EventObject[] = [];
    for (const type of accepted) {
      const step = SUCCEEDED.exec(type)?.[1];
      if (!step) continue;
      const succeeded: StepSucceededEvent = {
        type: `step.${step}.succeeded`,
        step,
        commandId: 'graph',
        attempt: 1,
        payload: {},
      };
      out.push(succeeded);
    }
    for (const signal of signals) if (accepted.has(signal.type)) out.push(signal);
    return out;
  };
  const paths = getShortestPaths(definition.machine, {
    input: { sagaId: 'graph', input },
    events,
  });
  const inFlight = (snapshot: AnyMachineSnapshot, info: SagaStepInfo) =>
    snapshot.hasTag(awaitingTag('action', info.step));

  return paths.flatMap((path) => {
    // The machine is untyped here (any definition), so its events are read as plain events.
    const pathEvents = path.steps
      .map((s): EventObject => s.event as EventObject)
      .filter((e) => e.type !== 'xstate.init');
    const succeeded = pathEvents.flatMap((e) => SUCCEEDED.exec(e.type)?.[1] ?? []);
    const end = path.state as AnyMachineSnapshot;
    const active = steps.filter((info) => inFlight(end, info)).map((s) => s.step);
    const replay = (sim: SagaSimulation) => {
      for (const event of pathEvents) {
        const step = SUCCEEDED.exec(event.type)?.[1];
        const result = step
          ? sim.succeed(step, options.replyPayload?.(step) ?? {})
          : sim.signal(event);
        if (result.outcome !== 'applied') {
          throw new Error(`path ${event.type} was ${result.reason} in ${sim.state}`);
        }
      }
    };
    const description = pathEvents.map((e) => e.type).join(' > ') || '(start)';
    return active.map((step) => ({
      step,
      succeeded,
      alsoInFlight: active.filter((other) => other !== step),
      description,
      replay,
    }));
  });
}

/** `participant.Command` of a step's compensation, or null when the step has none. */
export function compensationOf(definition: SagaDefinition, step: string): string | null {
  const info = sagaStepsOf(definition.machine).find((s) => s.step === step);
  if (!info) throw new Error(`no step ${step} in ${definition.type}`);
  return info.compensation ? `${info.compensation.participant}.${info.compensation.command}` : null;
}
