/**
 * Whether the sagas' deadlines fit the Kafka consumer session. A killed member keeps its reply
 * partitions until its session times out; until a rebalance hands them on (a heartbeat or two
 * later), no reply on them is consumed, while every saga waiting on one keeps counting its
 * deadline. A deadline not comfortably above the session timeout then passes for sagas whose
 * participants did answer: good orders compensated after an orchestrator crash (issue 12: a 30 s
 * session against the order saga's 10 s step deadline cancelled 646 of 1,000 good orders).
 *
 * The orchestrator warns at start-up rather than refusing: nothing is lost or done twice when a
 * deadline is short, only business outcomes suffer during failovers, and a short deadline can be a
 * deliberate choice (a test, a saga that prefers to give up fast).
 */
import { sagaDeadlinesOf, sagaStepsOf, type SagaDefinition } from '../engine/index.js';
import type { Logger } from '../../wire/telemetry/index.js';

/**
 * A deadline is comfortably above the session timeout from this many times it. A dead member's
 * partitions move after its session plus a rebalance (the survivors rejoin at their next heartbeat,
 * at most a fetch wait later: about a second with the defaults), and the deadline must still leave
 * the participant time to answer: 1.5 x leaves 3 s of the order saga's 10 s steps at the default 6 s
 * session. (2 x would flag the shipped order saga against the broker's lowest allowed session.)
 */
export const DEADLINE_TO_SESSION_FACTOR = 1.5;

/** The shortest deadline of one definition, when it is too short for the consumer session. */
export interface ShortDeadline {
  sagaType: string;
  version: string;
  /** What the deadline bounds: one attempt of a step, of its compensation, or a saga-level deadline. */
  kind: 'step' | 'compensation' | 'saga-deadline';
  /** The step's name (for `step` and `compensation`), else the saga-level deadline's name. */
  name: string;
  deadlineMs: number;
}

/**
 * For each definition whose shortest deadline (step attempts, compensation attempts, saga-level
 * deadlines of a fixed length) is under `factor` × `sessionTimeoutMs`, that deadline. A saga-level
 * deadline read from the saga's context has no length before a saga runs and is not checked.
 */
export function deadlinesTooShortForSession(
  definitions: readonly SagaDefinition[],
  sessionTimeoutMs: number,
  factor: number = DEADLINE_TO_SESSION_FACTOR,
): ShortDeadline[] {
  const short: ShortDeadline[] = [];
  for (const definition of definitions) {
    const shortest = shortestDeadlineOf(definition);
    if (shortest && shortest.deadlineMs < factor * sessionTimeoutMs) short.push(shortest);
  }
  return short;
}

/** One loud line per definition whose shortest deadline does not fit the consumer session. */
export function warnOfShortDeadlines(
  definitions: readonly SagaDefinition[],
  sessionTimeoutMs: number,
  logger: Logger,
): void {
  for (const short of deadlinesTooShortForSession(definitions, sessionTimeoutMs)) {
    const what =
      short.kind === 'saga-deadline'
        ? `saga deadline "${short.name}"`
        : `${short.kind} "${short.name}"`;
    logger.warn(
      `saga ${short.sagaType} v${short.version}: ${what} has a ${short.deadlineMs} ms deadline, ` +
        `under ${DEADLINE_TO_SESSION_FACTOR}x the Kafka session timeout (${sessionTimeoutMs} ms): ` +
        'after a crash, replies wait for the session to expire and good sagas time out; ' +
        'lower KAFKA_SESSION_TIMEOUT or lengthen the deadline',
      { ...short, sessionTimeoutMs },
    );
  }
}

function shortestDeadlineOf(definition: SagaDefinition): ShortDeadline | undefined {
  const { type: sagaType, version, machine } = definition;
  const candidates: ShortDeadline[] = [];
  for (const step of sagaStepsOf(machine)) {
    candidates.push({
      sagaType,
      version,
      kind: 'step',
      name: step.step,
      deadlineMs: step.timeoutMs,
    });
    if (step.compensation) {
      const deadlineMs = step.compensation.timeoutMs;
      candidates.push({ sagaType, version, kind: 'compensation', name: step.step, deadlineMs });
    }
  }
  for (const deadline of sagaDeadlinesOf(machine)) {
    if (deadline.ms === null) continue;
    const { name, ms: deadlineMs } = deadline;
    candidates.push({ sagaType, version, kind: 'saga-deadline', name, deadlineMs });
  }
  // The first of the shortest, in document order: steps before saga-level deadlines.
  return candidates.reduce<ShortDeadline | undefined>(
    (shortest, candidate) =>
      shortest === undefined || candidate.deadlineMs < shortest.deadlineMs ? candidate : shortest,
    undefined,
  );
}
