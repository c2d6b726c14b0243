/**
 * Every metric, span and attribute name the participant SDK emits, in one place (BullMQ's
 * `TelemetryAttributes`), so dashboards and alerts have one list to follow.
 */

/** The instrumentation scope of the SDK's meter and tracer. */
export const PARTICIPANT_SCOPE = 'saga-orchestrator/participant-sdk';

export const PARTICIPANT_METRICS = {
  /** Commands whose handler ran to a reply (attributes: participant, command type, outcome). */
  handled: 'saga.participant.commands.handled',
  /** Commands replied to with a failure (attributes add the error code and `retryable`). */
  failed: 'saga.participant.commands.failed',
  /** Re-deliveries of a command handled before: the recorded reply was re-sent. */
  duplicates: 'saga.participant.commands.duplicates',
  /** Commands dropped unexecuted because their `expiresAt` had passed. */
  expired: 'saga.participant.commands.expired',
  /** Messages sent to the dead-letter topic (attribute: the DLQ error code). */
  deadLettered: 'saga.participant.commands.dead_lettered',
  /** In-process retries of a handler after an unexpected error. */
  retries: 'saga.participant.handler.retries',
  /** Time spent in the handler, all tries of one delivery, in milliseconds. */
  handlerDuration: 'saga.participant.handler.duration',
} as const;

export const PARTICIPANT_ATTRIBUTES = {
  participant: 'saga.participant',
  commandType: 'saga.command.type',
  commandId: 'saga.command.id',
  commandAttempt: 'saga.command.attempt',
  sagaId: 'saga.id',
  sagaType: 'saga.type',
  outcome: 'saga.reply.outcome',
  errorCode: 'saga.error.code',
  retryable: 'saga.error.retryable',
  duplicate: 'saga.command.duplicate',
  dlqCode: 'saga.dlq.code',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  messagingPartition: 'messaging.destination.partition.id',
  messagingOffset: 'messaging.kafka.offset',
} as const;

/** The span around one command: `<participant> <CommandType>`. */
export function commandSpanName(participant: string, commandType: string): string {
  return `${participant} ${commandType}`;
}
