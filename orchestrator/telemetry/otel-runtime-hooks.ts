/**
 * The OpenTelemetry implementation of {@link RuntimeHooks}: metrics for every hook, and the
 * saga's spans when tracing is on. Every hook is synchronous and cheap (a few counter adds); the
 * store-backed gauges are read on collection, see `gauges.ts`.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import type { KnownState } from './gauges.js';
import {
  silentLogger,
  type Logger,
  orchestratorInstruments,
  ATTRIBUTES as A,
} from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from './runtime-hooks.js';
import { SagaSpans, type SagaTracing } from './saga-spans.js';
import {
  closedCommands,
  leftState,
  newOutcomeStatus,
  sentCommands,
  timeouts,
} from './step-facts.js';
import { reportZeroSeries, type KnownStep } from './zero-series.js';

export type { KnownStep } from './zero-series.js';

export interface OtelRuntimeHooksOptions {
  meter: Meter;
  /** Spans are written only when this is given. */
  tracing?: SagaTracing;
  /**
   * The states of these are reported from the start (0 entries), so none is missing from charts;
   * see `zero-series.ts` for every series reported at 0.
   */
  knownStates?: readonly KnownState[];
  /** Likewise the steps: 0 commands, retries and timeouts, empty step durations. */
  knownSteps?: readonly KnownStep[];
  /** @default silentLogger */
  logger?: Logger;
}

/** A {@link RuntimeHooks} that records the orchestrator's metrics and, optionally, its spans. */
export function createOtelRuntimeHooks(options: OtelRuntimeHooksOptions): RuntimeHooks {
  const metrics = orchestratorInstruments(options.meter);
  const spans = options.tracing ? new SagaSpans(options.tracing) : undefined;
  const logger = options.logger ?? silentLogger;
  reportZeroSeries(metrics, {
    states: options.knownStates ?? [],
    steps: options.knownSteps ?? [],
  });

  const hooks: RuntimeHooks = {
    stepWritten(step) {
      const { before, after } = step;
      const type = { [A.sagaType]: after.type };
      metrics.inputsApplied.add(1, { ...type, [A.inputKind]: step.event?.kind ?? 'start' });
      if (!before) metrics.sagasStarted.add(1, type);

      const outcome = newOutcomeStatus(step);
      if (outcome) metrics.sagaOutcomes.add(1, { ...type, [A.sagaStatus]: outcome });

      if (!before || before.state !== after.state) {
        metrics.stateEntries.add(1, { ...type, [A.sagaState]: after.state });
      }
      const left = leftState(step);
      if (left) {
        metrics.stateDuration.record(left.durationMs / 1000, {
          ...type,
          [A.sagaState]: left.state,
        });
      }

      for (const command of sentCommands(step)) {
        const attributes: Attributes = {
          ...type,
          [A.step]: command.step,
          [A.stepKind]: command.kind,
          [A.participant]: command.participant,
          [A.commandType]: command.command,
        };
        metrics.commandsSent.add(1, attributes);
        if (command.attempt > 1) metrics.stepRetries.add(1, attributes);
      }
      for (const timeout of timeouts(step)) {
        metrics.stepTimeouts.add(1, {
          ...type,
          [A.step]: timeout.step,
          [A.stepKind]: timeout.kind,
        });
      }

      const closed = closedCommands(step);
      for (const { command, outcome: stepOutcome } of closed) {
        metrics.stepDuration.record(Math.max(0, step.at - command.issuedAt) / 1000, {
          ...type,
          [A.step]: command.step,
          [A.stepKind]: command.kind,
          [A.participant]: command.participant,
          [A.commandType]: command.command,
          [A.stepOutcome]: stepOutcome,
        });
      }
      if (spans) {
        try {
          spans.stepWritten(step, closed);
        } catch (error) {
          // Telemetry never fails a step that is already stored.
          logger.warn('could not write the spans of a step', { sagaId: after.id, error });
        }
      }
    },

    eventIgnored(event) {
      metrics.inputsIgnored.add(1, {
        [A.sagaType]: event.sagaType ?? 'unknown',
        [A.ignoredReason]: event.reason,
      });
    },

    timerClaimed(event) {
      metrics.timerLag.record(Math.max(0, event.claimedAt - event.dueAt) / 1000);
    },

    outboxPublished(event) {
      for (const latency of event.latenciesMs) {
        metrics.outboxLatency.record(Math.max(0, latency) / 1000);
      }
    },

    deadLettered(event) {
      metrics.dlqMessages.add(1, { [A.dlqSource]: event.source, [A.dlqCode]: event.code });
    },
  };

  if (spans) {
    hooks.sagaTrace = (start) => spans.newSagaTrace(start);
    hooks.outgoingHeaders = (record, effect) => spans.headersFor(record, effect);
  }
  return hooks;
}
