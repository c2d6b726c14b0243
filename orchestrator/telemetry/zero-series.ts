/**
 * Every series the dashboards chart exists from start-up, at 0, for each label set known then:
 * the states and steps of the definitions, the input kinds and ignored reasons of the engine,
 * the dead-letter sources and codes. A panel that says "No data" then means the metric is not
 * scraped (broken), never that nothing happened yet (quiet); and the first real increment counts
 * in `rate()`/`increase()`, which miss the first sample of a series that appears at 1.
 */
import type { Attributes } from '@opentelemetry/api';
import { DLQ_ERROR_CODES, ENDED_SAGA_STATUSES, isEnded } from '../../wire/contract/index.js';
import {
  openHistogramSeries,
  type OrchestratorInstruments,
  ATTRIBUTES as A,
} from '../../wire/telemetry/index.js';
import type { IgnoredReason, SagaEvent, SagaStatus } from '../engine/index.js';
import type { KnownState } from './gauges.js';
import type { StepOutcome } from './step-facts.js';

/** A step (or a step's compensation) of a known definition. */
export interface KnownStep {
  type: string;
  step: string;
  kind: 'action' | 'compensation';
  participant: string;
  command: string;
}

/** Every reason the engine ignores an input for (checked against the type below). */
export const IGNORED_REASONS = [
  'not-pending',
  'timer-not-armed',
  'event-not-accepted',
  'saga-ended',
  'saga-paused',
  'not-paused',
  'migration-refused',
] as const satisfies readonly IgnoredReason[];

/** What moves a saga: its start, or one of the engine's event kinds. */
export const INPUT_KINDS = [
  'start',
  'reply',
  'timer',
  'signal',
  'pause',
  'resume',
  'migrate',
] as const satisfies readonly ('start' | SagaEvent['kind'])[];

/** How a step ends for the orchestrator (the `saga.step.outcome` label). */
export const STEP_OUTCOMES = [
  'success',
  'failure',
  'timeout',
  'abandoned',
] as const satisfies readonly StepOutcome[];

/**
 * Where the orchestrator dead-letters from (the `source` of its `deadLettered` hook): the start
 * requests, the replies, and records its consumer could not decode.
 */
export const ORCHESTRATOR_DLQ_SOURCES = [
  'orchestrator.requests',
  'orchestrator.replies',
  'orchestrator.consumer',
] as const;

/** A saga type's outcomes: every status but `running` (see `newOutcomeStatus`). */
const OUTCOME_STATUSES: readonly SagaStatus[] = [...ENDED_SAGA_STATUSES, 'parked'];

// A new ignored reason or input kind must be added to the lists above (or tsc fails here).
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
const allIgnoredReasonsListed: Missing<IgnoredReason, (typeof IGNORED_REASONS)[number]> = true;
const allInputKindsListed: Missing<SagaEvent['kind'], (typeof INPUT_KINDS)[number]> = true;
const allStepOutcomesListed: Missing<StepOutcome, (typeof STEP_OUTCOMES)[number]> = true;
void [allIgnoredReasonsListed, allInputKindsListed, allStepOutcomesListed];

/** Adds 0 (counters) or opens an empty series (histograms) for every known label set. */
export function reportZeroSeries(
  metrics: OrchestratorInstruments,
  known: { states: readonly KnownState[]; steps: readonly KnownStep[] },
): void {
  const types = [...new Set([...known.states, ...known.steps].map((s) => s.type))];
  for (const type of types) {
    const byType = { [A.sagaType]: type };
    metrics.sagasStarted.add(0, byType);
    for (const status of OUTCOME_STATUSES) {
      metrics.sagaOutcomes.add(0, { ...byType, [A.sagaStatus]: status });
    }
    for (const kind of INPUT_KINDS)
      metrics.inputsApplied.add(0, { ...byType, [A.inputKind]: kind });
    for (const reason of IGNORED_REASONS) {
      metrics.inputsIgnored.add(0, { ...byType, [A.ignoredReason]: reason });
    }
  }
  for (const { type, state, status } of known.states) {
    const attributes = { [A.sagaType]: type, [A.sagaState]: state };
    metrics.stateEntries.add(0, attributes);
    // Time in state is recorded when a saga leaves it: never for a final state.
    if (!isEnded(status)) openHistogramSeries(metrics.stateDuration, attributes);
  }
  for (const { type, step, kind, participant, command } of known.steps) {
    const attributes = { [A.sagaType]: type, [A.step]: step, [A.stepKind]: kind };
    const sent: Attributes = {
      ...attributes,
      [A.participant]: participant,
      [A.commandType]: command,
    };
    metrics.commandsSent.add(0, sent);
    metrics.stepRetries.add(0, sent);
    metrics.stepTimeouts.add(0, attributes);
    for (const outcome of STEP_OUTCOMES) {
      openHistogramSeries(metrics.stepDuration, { ...sent, [A.stepOutcome]: outcome });
    }
  }
  openHistogramSeries(metrics.timerLag);
  openHistogramSeries(metrics.outboxLatency);
  for (const source of ORCHESTRATOR_DLQ_SOURCES) {
    for (const code of Object.values(DLQ_ERROR_CODES)) {
      metrics.dlqMessages.add(0, { [A.dlqSource]: source, [A.dlqCode]: code });
    }
  }
}
