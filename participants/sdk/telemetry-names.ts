/**
 * The names the participant SDK emits. They are defined, with the orchestrator's, in the
 * project's one names module (`wire/telemetry/metric-names.ts`), which the Grafana
 * dashboards and alert rules are generated from; this file keeps the SDK's own short names.
 */
import { ATTRIBUTES, PARTICIPANT_METRICS, SCOPES, SPAN_NAMES } from '../../wire/telemetry/index.js';

/** The instrumentation scope of the SDK's meter and tracer. */
export const PARTICIPANT_SCOPE = SCOPES.participant;

/** Metric names, e.g. `PARTICIPANT_METRICS.handled` (`saga.participant.commands.handled`). */
export { PARTICIPANT_METRICS };

export const PARTICIPANT_ATTRIBUTES = {
  participant: ATTRIBUTES.participant,
  commandType: ATTRIBUTES.commandType,
  commandId: ATTRIBUTES.commandId,
  commandAttempt: ATTRIBUTES.commandAttempt,
  sagaId: ATTRIBUTES.sagaId,
  sagaType: ATTRIBUTES.sagaType,
  outcome: ATTRIBUTES.outcome,
  errorCode: ATTRIBUTES.errorCode,
  retryable: ATTRIBUTES.retryable,
  duplicate: ATTRIBUTES.duplicate,
  dlqCode: ATTRIBUTES.dlqCode,
  messagingSystem: ATTRIBUTES.messagingSystem,
  messagingDestination: ATTRIBUTES.messagingDestination,
  messagingOperation: ATTRIBUTES.messagingOperation,
  messagingPartition: ATTRIBUTES.messagingPartition,
  messagingOffset: ATTRIBUTES.messagingOffset,
} as const;

/** The span around one command: `<participant> <CommandType>`. */
export const commandSpanName = SPAN_NAMES.participantCommand;
