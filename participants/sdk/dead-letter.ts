/**
 * Dead letters: a message the participant cannot process goes to `<prefix>.dlq` unchanged (value,
 * key and headers), with the reason and its origin added as headers, and the next message is
 * handled. Nothing is dropped silently and nothing blocks the partition.
 */
import { HEADERS } from '../../orchestrator/contract/index.js';
import type { IncomingMessage, OutgoingMessage } from '../../orchestrator/transport/ports.js';

export interface DeadLetterReason {
  /** A `DLQ_ERROR_CODES` value. */
  code: string;
  /** What is wrong, for a person. */
  reason: string;
}

/** Kafka header values are not meant for essays: the reason is cut to a readable length. */
const MAX_REASON = 1000;

export function deadLetterFor(
  message: IncomingMessage,
  { code, reason }: DeadLetterReason,
  dlqTopic: string,
  source: string,
  at: number,
): OutgoingMessage {
  return {
    topic: dlqTopic,
    key: message.key ?? '',
    value: message.value ?? '',
    headers: {
      ...message.headers,
      [HEADERS.dlqReason]:
        reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
      [HEADERS.dlqErrorCode]: code,
      [HEADERS.dlqSourceTopic]: message.topic,
      [HEADERS.dlqSourcePartition]: String(message.partition),
      [HEADERS.dlqSourceOffset]: message.offset,
      [HEADERS.dlqSource]: source,
      [HEADERS.dlqAt]: new Date(at).toISOString(),
    },
  };
}
