/**
 * Kafka header names of the wire contract. Every message carries the W3C `traceparent` (and
 * `tracestate` when there is one) and a copy of its ids, so tools can route and trace a message
 * without parsing its value.
 */
export const HEADERS = {
  contractVersion: 'saga-contract-version',
  sagaId: 'saga-id',
  sagaType: 'saga-type',
  commandId: 'saga-command-id',
  messageType: 'saga-message-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Dead-letter headers: why, and where the message came from. */
  dlqReason: 'dlq-reason',
  dlqErrorCode: 'dlq-error-code',
  dlqSourceTopic: 'dlq-source-topic',
  dlqSourcePartition: 'dlq-source-partition',
  dlqSourceOffset: 'dlq-source-offset',
  dlqSource: 'dlq-source',
  dlqAt: 'dlq-at',
} as const;

/** Codes in the `dlq-error-code` header. */
export const DLQ_ERROR_CODES = {
  /** The value is not JSON, or not UTF-8. */
  malformed: 'MALFORMED',
  /** JSON, but not valid against the schema. */
  invalid: 'SCHEMA_INVALID',
  /** Over a limit of the contract: too many bytes, or nested too deep (the reason names it). */
  limitExceeded: 'LIMIT_EXCEEDED',
  /** Valid, but names a saga, saga type or command nobody knows. */
  unknown: 'UNKNOWN',
  /** A handler failed and its retries ran out (participants). */
  handlerFailed: 'HANDLER_FAILED',
  /** The orchestrator's engine cannot apply it to its saga (the saga's definition or state is broken). */
  engineError: 'ENGINE_ERROR',
  /** It names a saga that is of another type than its `saga-type` header says. */
  mismatch: 'MISMATCH',
  /** The store refuses the write it leads to (e.g. over Redis' limits). */
  storeRefused: 'STORE_REFUSED',
  /** The record's batch could not be decompressed; the value is lost, the headers say where. */
  undecodable: 'UNDECODABLE',
} as const;
