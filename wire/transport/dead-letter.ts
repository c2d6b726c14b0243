/**
 * Dead-lettering: a message that cannot be processed (malformed, invalid, unknown, or a handler
 * out of retries) is copied to `<prefix>.dlq` with its original key, value and headers, plus
 * headers saying why and where it came from, so the consumer can commit and move on (guarantee
 * 5: nothing lost, nothing blocks a partition). Used by the orchestrator's consumers and the
 * participant SDK; it only needs a {@link MessagePublisher}.
 *
 * @example
 * const dlq = createDeadLetterPublisher({ publisher, topic: topicNames(prefix).dlq, source: 'orchestrator' });
 * await dlq.deadLetter(message, { code: DLQ_ERROR_CODES.malformed, reason: 'value is not JSON' });
 */
import { HEADERS, type DLQ_ERROR_CODES } from '../contract/index.js';
import type { IncomingMessage, MessagePublisher, OutgoingMessage } from './ports.js';

export type DlqErrorCode = (typeof DLQ_ERROR_CODES)[keyof typeof DLQ_ERROR_CODES];

export interface DeadLetterReason {
  /** One of {@link DLQ_ERROR_CODES}; another upper-case code when none fits. */
  code: DlqErrorCode | (string & {});
  /** What went wrong, for a human (cut to {@link MAX_REASON_LENGTH} characters). */
  reason: string;
}

export interface DeadLetterEntry {
  message: IncomingMessage;
  reason: DeadLetterReason;
}

/** Longest `dlq-reason` header kept; a stack trace does not belong in a header. */
export const MAX_REASON_LENGTH = 1_000;

export interface DeadLetterContext {
  /** The dead-letter topic, `topicNames(prefix).dlq`. */
  topic: string;
  /** The component that gave up on the message (`orchestrator`, `participant:inventory`, …). */
  source: string;
  /** When it gave up. */
  at: Date;
}

/**
 * The dead-letter record for `message`: same key, value and headers, plus the `dlq-*` headers.
 * A message without a key is dead-lettered with an empty key, one without a value (a tombstone)
 * with an empty value; the `dlq-source-*` headers still point at the original.
 */
export function deadLetterMessage(
  message: IncomingMessage,
  reason: DeadLetterReason,
  context: DeadLetterContext,
): OutgoingMessage {
  const text =
    reason.reason.length > MAX_REASON_LENGTH
      ? `${reason.reason.slice(0, MAX_REASON_LENGTH - 1)}…`
      : reason.reason;
  return {
    topic: context.topic,
    key: message.key ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: {
      ...message.headers,
      [HEADERS.dlqReason]: text,
      [HEADERS.dlqErrorCode]: reason.code,
      [HEADERS.dlqSourceTopic]: message.topic,
      [HEADERS.dlqSourcePartition]: String(message.partition),
      [HEADERS.dlqSourceOffset]: message.offset,
      [HEADERS.dlqSource]: context.source,
      [HEADERS.dlqAt]: context.at.toISOString(),
    },
  };
}

export interface DeadLetterPublisherOptions {
  publisher: MessagePublisher;
  /** The dead-letter topic, `topicNames(prefix).dlq`. */
  topic: string;
  /** The component that dead-letters (written to `dlq-source`). */
  source: string;
  /**
   * The clock stamped into `dlq-at`.
   * @default () => new Date()
   */
  now?: () => Date;
}

export interface DeadLetterPublisher {
  /** Publishes one dead letter; resolves once the broker acknowledged it. */
  deadLetter(message: IncomingMessage, reason: DeadLetterReason): Promise<void>;
  /** Publishes several in one batch; resolves once all are acknowledged. */
  deadLetterAll(entries: readonly DeadLetterEntry[]): Promise<void>;
  /** The record without publishing it, for a caller that adds it to its own batch. */
  toDeadLetter(message: IncomingMessage, reason: DeadLetterReason): OutgoingMessage;
}

export function createDeadLetterPublisher(
  options: DeadLetterPublisherOptions,
): DeadLetterPublisher {
  const { publisher, topic, source } = options;
  if (!topic) throw new RangeError('dead-letter publisher: topic must not be empty');
  if (!source) throw new RangeError('dead-letter publisher: source must not be empty');
  const now = options.now ?? (() => new Date());
  const toDeadLetter = (message: IncomingMessage, reason: DeadLetterReason) =>
    deadLetterMessage(message, reason, { topic, source, at: now() });
  return {
    toDeadLetter,
    deadLetter: (message, reason) => publisher.publish([toDeadLetter(message, reason)]),
    deadLetterAll: (entries) =>
      publisher.publish(entries.map(({ message, reason }) => toDeadLetter(message, reason))),
  };
}
