/**
 * What `createOrchestrator` takes. Dependencies come in ready-made (a Redis client, a kafkajs
 * client, definitions, a clock, a logger, telemetry hooks); everything else has a default that
 * suits production, and tests turn the timings down.
 */
import type { Kafka } from 'kafkajs';
import { type SagaDefinition, sagaStepsOf } from '../engine/index.js';
import type { RedisClient, SagaStoreOptions } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { KafkaSubscriberOptions } from '../../wire/kafka/index.js';
import type { Clock } from './clock.js';
import { DEFAULT_LIFECYCLE_EVENT_LEVEL, type LifecycleEventLevel } from './outgoing-messages.js';

export interface OrchestratorTuning {
  /** Consumer group of the replies and requests topics. @default `<prefix>.orchestrator` */
  groupId?: string;
  /** Create missing contract topics at start-up. @default true */
  createTopics?: boolean;
  /**
   * Partitions of topics created at start-up. The replies topic's count also spreads the store
   * shards: shard `s` goes with partition `s mod partitions` (shard-ownership.ts). @default 12
   */
  topicPartitions?: number;
  /** @default min(3, brokers) */
  topicReplicationFactor?: number;
  /** Reply/request partitions handled at once. @default 4 */
  partitionsConsumedConcurrently?: number;
  /** Consumer timings (tests turn them down). */
  consumer?: Pick<
    KafkaSubscriberOptions,
    'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'rebalanceTimeoutMs' | 'maxWaitTimeMs'
  >;
  /**
   * Longest sleep of the timer poller: how late a timer nobody announced (its instance died
   * between commit and signal) may fire. Commits wake the poller for the timers they arm.
   * @default 5000
   */
  timerPollIntervalMs?: number;
  /**
   * How often an idle shard's outbox is read though nobody announced entries (an instance died
   * between commit and signal): their longest wait. Commits wake the relay for their entries.
   * @default 5000
   */
  outboxPollIntervalMs?: number;
  /**
   * How often Redis, the broker and the consumer's membership are checked (`/readyz` and the
   * timers' outage accounting both read the result).
   * @default 1000
   */
  availabilityCheckIntervalMs?: number;
  /** A check that has not answered within this is a failed one. @default 1500 */
  availabilityCheckTimeoutMs?: number;
  /**
   * Step deadlines do not count an outage of this instance (broker, Redis or consumer group
   * lost): its timers are pushed back by the outage's length plus as long again, at most this
   * much, because participants lost the broker too and need about as long to reconnect.
   * @default 20_000
   */
  outageGraceMs?: number;
  /**
   * Which lifecycle events are published (`SAGA_LIFECYCLE_EVENTS`): the saga's own only
   * (started, ended, parked…), those and every step's, or none. Step events are six of the eight
   * records a three-step saga would publish, and the saga's history keeps the same facts.
   * @default 'saga' (`DEFAULT_LIFECYCLE_EVENT_LEVEL`)
   */
  lifecycleEvents?: LifecycleEventLevel;
  /**
   * Records of the sagas this instance wrote last, kept in memory so that their next step skips
   * loading them (the commit's revision check catches a stale one). 0 loads every step.
   * @default 4096
   */
  recentRecords?: number;
}

export interface OrchestratorOptions {
  /**
   * Every version of every saga type this instance runs: a saga runs to its end on the version
   * that started it, so keep a version while sagas on it are alive (or migrate them).
   */
  definitions: SagaDefinition[];
  /**
   * The version new sagas of a type start on, by type, where it is not the newest registered.
   * @default {} (the newest version of each type)
   */
  startVersions?: Readonly<Record<string, string>>;
  /** The store's connection; the orchestrator never closes it. */
  redis: RedisClient;
  /** The kafkajs client; the orchestrator makes its producer, consumer and admin from it. */
  kafka: Kafka;
  /** @default 'saga' */
  topicPrefix?: string;
  store?: Omit<SagaStoreOptions, 'redis'>;
  clock?: Clock;
  logger?: Logger;
  hooks?: RuntimeHooks;
  /** This instance's name in logs and shard signals. @default `<host>-<pid>-<random>` */
  instanceId?: string;
  tuning?: OrchestratorTuning;
}

export function tuningDefaults(tuning: OrchestratorTuning = {}) {
  return {
    ...tuning,
    createTopics: tuning.createTopics ?? true,
    topicPartitions: tuning.topicPartitions ?? 12,
    partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently ?? 4,
    consumer: tuning.consumer ?? {},
    timerPollIntervalMs: tuning.timerPollIntervalMs ?? 5_000,
    outboxPollIntervalMs: tuning.outboxPollIntervalMs ?? 5_000,
    availabilityCheckIntervalMs: tuning.availabilityCheckIntervalMs ?? 1_000,
    availabilityCheckTimeoutMs: tuning.availabilityCheckTimeoutMs ?? 1_500,
    outageGraceMs: tuning.outageGraceMs ?? 20_000,
    lifecycleEvents: tuning.lifecycleEvents ?? DEFAULT_LIFECYCLE_EVENT_LEVEL,
    recentRecords: tuning.recentRecords ?? 4096,
  };
}

/**
 * How long a kept record is trusted: 30 s, or a quarter of the store's retention when that is
 * shorter, so a saga can never end, be purged and be started again under the same id while a
 * record of its previous life is trusted (see `RecentRecords`).
 */
export function recentRecordMaxAgeMs(retentionMs: number): number {
  return Math.max(1, Math.min(30_000, Math.floor(retentionMs / 4)));
}

/** Every participant the definitions send commands to (their command topics must exist). */
export function participantsOf(definitions: readonly SagaDefinition[]): string[] {
  const participants = new Set<string>();
  for (const definition of definitions) {
    for (const step of sagaStepsOf(definition.machine)) {
      participants.add(step.participant);
      if (step.compensation) participants.add(step.compensation.participant);
    }
  }
  return [...participants].sort();
}
