/**
 * Failure-path scenarios generated from any definition's graph: for every step reachable (along
 * the paths `stepPaths` finds, parallel regions included), "step k fails" — refused, out of
 * deadlines, or cancelled while in flight — with the outcome the compensation rules predict:
 * the compensations of exactly what was done or may have been done, each once, the steps whose
 * outcome is unknown first (last started first), then the completed ones, last completed first;
 * ending `compensated` (`cancelled` for a cancel), or `parked` when the first compensation keeps
 * failing. Framework-agnostic: `assertFailurePath` throws an Error that says what differed.
 *
 * @example
 * ```ts
 * for (const scenario of failurePaths(refundSaga, input)) {
 *   it(scenario.title, () => assertFailurePath(scenario, scenario.run()));
 * }
 * ```
 */
import type { AnyStateNode } from 'xstate';
import type { JsonObject } from '../../../wire/contract/index.js';
import type { SagaDefinition, SagaStatus } from '../types.js';
import { sagaStepsOf, type SagaStepInfo } from '../vocabulary/introspect.js';
import {
  SAGA_SIGNALS,
  SAGA_STATE_IDS,
  STATUS_TAG_PREFIX,
  stepEventTypes,
} from '../vocabulary/names.js';
import { simulateSaga, type SagaSimulation, type SimulatorOptions } from './simulator.js';
import { stepPaths, type StepPath } from './step-paths.js';

/** How step k fails: a terminal refusal, every attempt's deadline passing, or `saga.cancel`. */
export type FailureCause = 'refused' | 'deadlines' | 'cancelled';

export interface FailurePath {
  /** Reads as a test name, e.g. `authorizePayment refused after step.reserveInventory.succeeded`. */
  title: string;
  step: string;
  cause: FailureCause;
  /** `succeed`: every compensation succeeds; `keepFailing`: the first one fails until it parks. */
  compensations: 'succeed' | 'keepFailing';
  /** The way to the step, from `stepPaths`. */
  path: StepPath;
  expected: {
    status: SagaStatus;
    /**
     * `participant.Command` of the compensations, in order; with `keepFailing` the one that
     * keeps failing (sent once per attempt, nothing after it).
     */
    compensations: string[];
  };
  /** Runs the scenario on a new simulation (the real engine, a fake clock) and returns it. */
  run(): SagaSimulation;
}

export interface FailurePathOptions {
  /** External events to try wherever the statechart accepts them (see `stepPaths`). */
  signals?: ({ type: string } & JsonObject)[];
  /** The success payload used for a step along a path. */
  replyPayload?: (step: string) => JsonObject;
  /** @default ['refused', 'deadlines', 'cancelled'] */
  causes?: FailureCause[];
  /** Also generate the variant where the first compensation keeps failing. @default true */
  parking?: boolean;
  simulator?: SimulatorOptions;
}

/** Guards against a scenario that never settles (a definition that loops on timers). */
const MAX_INPUTS = 1_000;

/** Where a step's failure goes: the unguarded exit of `step.<k>.failed`. */
function failureTarget(definition: SagaDefinition, info: SagaStepInfo): AnyStateNode | undefined {
  const attempting = definition.machine.getStateNodeById(info.stateId).states.attempting;
  const exits = attempting?.transitions.get(stepEventTypes(info.step).failed) ?? [];
  return exits.find((t) => t.guard === undefined)?.target?.[0];
}

/** The status a failure ends in when it does not compensate (a final state tagged status:x). */
function finalStatus(node: AnyStateNode): SagaStatus | undefined {
  if (node.type !== 'final') return undefined;
  const tag = node.tags.find((t) => t.startsWith(STATUS_TAG_PREFIX));
  return tag?.slice(STATUS_TAG_PREFIX.length) as SagaStatus | undefined;
}

function fireStepTimersUntilItGivesUp(sim: SagaSimulation, info: SagaStepInfo): void {
  // Only this step's timers (its deadline and retry backoff): another region's step stays in
  // flight, its deadline not yet reached, as the scenario says.
  const own = (timerId: string) =>
    timerId.endsWith(`.${info.stateId}.attempting`) ||
    timerId.endsWith(`.${info.stateId}.retrying`);
  for (let i = 0; i < MAX_INPUTS; i += 1) {
    const timers = sim.record.timers.filter((t) => own(t.timerId));
    const next = timers.sort((a, b) => a.dueAt - b.dueAt)[0];
    if (!next) return;
    sim.now = Math.max(sim.now, next.dueAt);
    sim.fireTimer(next.timerId, next.dueAt);
  }
  throw new Error(`step ${info.step} never ran out of attempts`);
}

/** Answers pending compensations and fires due timers until the saga stops running. */
function answerUntilAtRest(sim: SagaSimulation, compensations: FailurePath['compensations']): void {
  for (let i = 0; i < MAX_INPUTS && sim.status === 'running'; i += 1) {
    if (sim.pending.some((c) => c.kind === 'compensation')) {
      if (compensations === 'succeed') sim.succeedCompensation();
      else sim.failCompensation({ code: 'STILL_FAILING', retryable: true });
    } else if (sim.record.timers.length > 0) {
      sim.advanceToNextTimer();
    } else {
      return;
    }
  }
}

function expectApplied(
  result: ReturnType<SagaSimulation['apply']>,
  what: string,
  sim: SagaSimulation,
) {
  if (result.outcome !== 'applied') {
    throw new Error(`${what} was ${result.reason} in ${sim.state}`);
  }
}

/** The failure scenarios of every step reachable in `definition`'s graph. */
export function failurePaths(
  definition: SagaDefinition,
  input: unknown,
  options: FailurePathOptions = {},
): FailurePath[] {
  const steps = new Map(sagaStepsOf(definition.machine).map((info) => [info.step, info]));
  const causes = options.causes ?? ['refused', 'deadlines', 'cancelled'];
  const label = (step: string) => {
    const compensation = steps.get(step)?.compensation;
    return compensation ? `${compensation.participant}.${compensation.command}` : null;
  };
  const paths = stepPaths(definition, input, {
    ...(options.signals ? { signals: options.signals } : {}),
    ...(options.replyPayload ? { replyPayload: options.replyPayload } : {}),
  });

  return paths.flatMap((path) => {
    const info = steps.get(path.step);
    if (!info) return [];
    const start = () => {
      const sim = simulateSaga(definition, input, options.simulator);
      path.replay(sim);
      return sim;
    };
    // The order the in-flight steps started in: the unknown outcomes are stacked in that order.
    const startOrder = [
      ...new Set(
        start()
          .commands('action')
          .map((c) => c.step),
      ),
    ];
    const target = failureTarget(definition, info);

    return causes.flatMap((cause): FailurePath[] => {
      const compensates = cause === 'cancelled' || target?.id === SAGA_STATE_IDS.compensating;
      const status: SagaStatus | undefined =
        cause === 'cancelled'
          ? 'cancelled'
          : compensates
            ? 'compensated'
            : target && finalStatus(target);
      // A failure into a state of the author's own cannot be predicted here: test it by hand.
      if (!status) return [];
      const inFlight = cause === 'refused' ? path.alsoInFlight : [path.step, ...path.alsoInFlight];
      const unknown = startOrder.filter((step) => inFlight.includes(step)).reverse();
      const done = [...path.succeeded].reverse();
      const undo = compensates
        ? [...unknown, ...done].map(label).filter((c): c is string => c !== null)
        : [];
      const variants: FailurePath['compensations'][] =
        options.parking !== false && undo.length > 0 ? ['succeed', 'keepFailing'] : ['succeed'];

      return variants.map((compensations) => ({
        title: `${path.step} ${cause === 'deadlines' ? 'out of deadlines' : cause} ${path.description === '(start)' ? 'at the start' : `after ${path.description}`}${
          compensations === 'keepFailing' ? ', its first compensation keeps failing' : ''
        }`,
        step: path.step,
        cause,
        compensations,
        path,
        expected:
          compensations === 'succeed'
            ? { status, compensations: undo }
            : { status: 'parked', compensations: undo.slice(0, 1) },
        run: () => {
          const sim = start();
          if (cause === 'refused') {
            expectApplied(sim.fail(path.step, { code: 'REFUSED' }), `refusing ${path.step}`, sim);
          } else if (cause === 'cancelled') {
            expectApplied(sim.signal({ type: SAGA_SIGNALS.cancel }), 'saga.cancel', sim);
          } else {
            fireStepTimersUntilItGivesUp(sim, info);
          }
          answerUntilAtRest(sim, compensations);
          return sim;
        },
      }));
    });
  });
}

/** Throws an Error naming every difference between the scenario's expectation and `sim`. */
export function assertFailurePath(scenario: FailurePath, sim: SagaSimulation): void {
  const { expected } = scenario;
  const sent = sim.compensationsSent();
  const problems: string[] = [];
  if (sim.status !== expected.status) {
    problems.push(`status: ${sim.status} in ${sim.state}, expected ${expected.status}`);
  }
  const list = (items: string[]) => `[${items.join(', ')}]`;
  if (scenario.compensations === 'succeed') {
    if (list(sent) !== list(expected.compensations)) {
      problems.push(`compensations sent: ${list(sent)}, expected ${list(expected.compensations)}`);
    }
  } else {
    const stuck = expected.compensations[0];
    if (sent.length === 0 || sent.some((c) => c !== stuck)) {
      problems.push(
        `compensations sent: ${list(sent)}, expected only ${stuck ?? '(none)'}, retried until parked`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`${scenario.title}:\n  ${problems.join('\n  ')}`);
  }
}
