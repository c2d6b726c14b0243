/**
 * The participant SDK: declare a participant with `defineParticipant`, run it with
 * `startParticipant`. The SDK consumes the participant's command topic, validates, deduplicates,
 * drops expired commands, retries, replies, dead-letters and measures; the handlers only handle.
 */
export { defineParticipant } from './define-participant.js';
export type {
  AnyCommandHandler,
  CommandHandlerFn,
  CommandHandlerSpec,
  HandlerContext,
  HandlerResult,
  LedgerHandle,
  ParticipantDefinition,
} from './define-participant.js';
export { startParticipant, type RunningParticipant } from './start-participant.js';
export {
  compileParticipantOptions,
  type ParticipantOptions,
  type RetryOptions,
} from './participant-options.js';
export type { ParticipantTransport } from './participant-transport.js';
export {
  BusinessError,
  ParticipantError,
  RetryableError,
  UNEXPECTED_ERROR_CODE,
} from './errors.js';
export {
  LEDGER_FIELDS,
  LEDGER_STATES,
  type ClaimOutcome,
  type CommandLedger,
  type CompleteOutcome,
  type RecordedResult,
} from './command-ledger.js';
export { redisCommandLedger, type RedisCommandLedgerOptions } from './redis-command-ledger.js';
export { systemClock, type Clock } from './clock.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export {
  PARTICIPANT_ATTRIBUTES,
  PARTICIPANT_METRICS,
  PARTICIPANT_SCOPE,
} from './telemetry-names.js';
export {
  loadRedisScript,
  stringArray,
  type RedisClient,
  type RedisScript,
} from './redis-script.js';
export {
  kafkaParticipantTransport,
  type KafkaParticipantTransport,
  type KafkaParticipantTransportOptions,
  type ParticipantSubscriberSettings,
} from './kafka-participant-transport.js';
