/**
 * The options of a running participant, documented with their defaults, and compiled once
 * (Temporal's `worker-options.ts`): `compileParticipantOptions` fills the defaults and throws at
 * start-up on anything unusable, so nothing is discovered on the first message.
 */
import type { Meter, Tracer } from '@opentelemetry/api';
import type { RedisClient } from './redis-script.js';
import { DEFAULT_TOPIC_PREFIX, topicNames, type TopicNames } from '../../wire/contract/index.js';
import { systemClock, type Clock } from './clock.js';
import type { CommandLedger } from './command-ledger.js';
import type { ParticipantDefinition } from './define-participant.js';
import { createLogger, type Logger } from './logger.js';
import { redisCommandLedger } from './redis-command-ledger.js';
import type { ParticipantTransport } from './participant-transport.js';

export interface RetryOptions {
  /**
   * Tries of a handler in one delivery, the first included, before an unexpected error becomes a
   * retryable failure reply.
   * @default 3
   */
  maxTries?: number;
  /** @default 100 */
  initialBackoffMs?: number;
  /** @default 2000 */
  maxBackoffMs?: number;
  /** @default 2 */
  multiplier?: number;
}

export interface ParticipantOptions {
  /** Where messages come from and go to (`kafkaParticipantTransport(...)` for Kafka). */
  transport: ParticipantTransport;
  /** Redis for the default command ledger (not needed when `ledger` is given). */
  redis?: RedisClient;
  /** The record of handled commands; by default kept in `redis`. */
  ledger?: CommandLedger;
  /** @default 'saga' (SAGA_TOPIC_PREFIX) */
  topicPrefix?: string;
  /** The consumer group; every instance of the participant uses the same. @default `<prefix>.<name>` */
  groupId?: string;
  /** Prefix of the Redis ledger's keys. @default `saga-participant:{<name>}` */
  ledgerKeyPrefix?: string;
  /**
   * With `redis`: replicas that must acknowledge each recorded result before it is replied
   * (`REDIS_WAIT_REPLICAS`; see `redisCommandLedger`). Absent: no wait.
   */
  replicaAcks?: { replicas: number; timeoutMs: number };
  /** How long a handled command's record (and so its reply) is kept. @default 7 days */
  ledgerTtlMs?: number;
  /**
   * How long a claim protects a command being handled before another delivery may take it over;
   * extended (every third of it) while the handler runs, so it only matters after a crash. Keep
   * it well below the step deadlines: a re-sent command (same id) waits for a crashed delivery's
   * claim to lapse, and the orchestrator's deadline runs meanwhile. @default 5000
   */
  claimLeaseMs?: number;
  retry?: RetryOptions;
  /** Commands of different sagas handled at once, per partition batch. @default 64 */
  maxConcurrentCommands?: number;
  /** Partitions handled at once. @default 4 */
  partitionsConsumedConcurrently?: number;
  /** Replies are published in batches of at most this many. @default 500 */
  replyBatchSize?: number;
  /**
   * A reply waits at most this long for others to share its batch; 0 publishes at the end of the
   * turn (the publisher still merges replies that come while a batch is on the wire). @default 0
   */
  replyLingerMs?: number;
  /** Start at the earliest offset when the group has none. @default true */
  fromBeginning?: boolean;
  /** @default the system clock */
  clock?: Clock;
  /** @default the project's JSON-lines logger, namespace `participant.<name>`, level info */
  logger?: Logger;
  /** @default the global meter (a no-op without an OpenTelemetry SDK) */
  meter?: Meter;
  /** @default the global tracer (a no-op without an OpenTelemetry SDK) */
  tracer?: Tracer;
}

export interface CompiledParticipantOptions {
  transport: ParticipantTransport;
  ledger: CommandLedger;
  topics: TopicNames;
  commandTopic: string;
  groupId: string;
  ledgerTtlMs: number;
  claimLeaseMs: number;
  retry: Required<RetryOptions>;
  maxConcurrentCommands: number;
  partitionsConsumedConcurrently: number;
  replyBatchSize: number;
  replyLingerMs: number;
  fromBeginning: boolean;
  clock: Clock;
  logger: Logger;
  meter: Meter | undefined;
  tracer: Tracer | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Fills the defaults and checks every option; throws a message that names the bad one. */
export function compileParticipantOptions(
  definition: ParticipantDefinition,
  options: ParticipantOptions,
): CompiledParticipantOptions {
  const topics = topicNames(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
  const ledger =
    options.ledger ??
    (options.redis
      ? redisCommandLedger({
          redis: options.redis,
          keyPrefix: options.ledgerKeyPrefix ?? `saga-participant:{${definition.name}}`,
          ...(options.replicaAcks ? { replicaAcks: options.replicaAcks } : {}),
        })
      : undefined);
  if (!ledger) {
    throw new Error(`participant "${definition.name}": give either \`redis\` or \`ledger\``);
  }
  const retry = {
    maxTries: positiveInt('retry.maxTries', options.retry?.maxTries ?? 3),
    initialBackoffMs: nonNegative('retry.initialBackoffMs', options.retry?.initialBackoffMs ?? 100),
    maxBackoffMs: nonNegative('retry.maxBackoffMs', options.retry?.maxBackoffMs ?? 2000),
    multiplier: atLeast('retry.multiplier', options.retry?.multiplier ?? 2, 1),
  };
  return {
    transport: options.transport,
    ledger,
    topics,
    commandTopic: topics.commands(definition.name),
    groupId: options.groupId ?? `${topics.prefix}.${definition.name}`,
    ledgerTtlMs: positiveInt('ledgerTtlMs', options.ledgerTtlMs ?? 7 * DAY_MS),
    claimLeaseMs: atLeast('claimLeaseMs', options.claimLeaseMs ?? 5_000, 100),
    retry,
    maxConcurrentCommands: positiveInt(
      'maxConcurrentCommands',
      options.maxConcurrentCommands ?? 64,
    ),
    partitionsConsumedConcurrently: positiveInt(
      'partitionsConsumedConcurrently',
      options.partitionsConsumedConcurrently ?? 4,
    ),
    replyBatchSize: positiveInt('replyBatchSize', options.replyBatchSize ?? 500),
    replyLingerMs: nonNegative('replyLingerMs', options.replyLingerMs ?? 0),
    fromBeginning: options.fromBeginning ?? true,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createLogger(`participant.${definition.name}`),
    meter: options.meter,
    tracer: options.tracer,
  };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`participant option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  return atLeast(name, value, 0);
}

function atLeast(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`participant option ${name} must be a number >= ${min}, got ${value}`);
  }
  return value;
}
