/**
 * What a {@link KafkaSubscriber} (subscriber.ts) is configured with and offers: its options and
 * their defaults, and the membership events it reports.
 */
import type { Kafka } from 'kafkajs';
import type { MessageSubscriber, SubscriptionOptions } from '../transport/index.js';
import type { Logger } from '../telemetry/index.js';

/**
 * Consumer timings that fit the sagas' deadlines (kafkajs' own are 30 s / 3 s / 5 s): a killed
 * member's partitions move after `sessionTimeoutMs` (6 s, the broker's default lowest,
 * `group.min.session.timeout.ms`), well within a step deadline of 10 s. kafkajs heartbeats between
 * fetches, so an idle member heartbeats only every `maxWaitTimeMs`: 1 s keeps it well inside the
 * session. `rebalanceTimeoutMs` stays kafkajs' 60 s: it does not delay a dead member's handover
 * (the session does), it bounds how long a rebalance waits for a live member to finish the batch
 * in hand, and a participant's batch may legitimately run handlers until their commands expire.
 */
export const DEFAULT_CONSUMER_TIMINGS = {
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 60_000,
  maxWaitTimeMs: 1_000,
  commitIntervalMs: 1_000,
  commitAfterMessages: 500,
} as const;

/**
 * What happened to this member's place in the group (kafkajs' GROUP_JOIN, REBALANCING, STOP and
 * CRASH events). kafkajs rebalances eagerly: at a rebalance every member gives up all its
 * partitions and gets a new set at the join, so `rebalancing` means "owns nothing until joined".
 * A member the coordinator forgot (its session expired) re-joins without `rebalancing`: `joined`
 * always replaces whatever was assigned before.
 */
export type MembershipEvent =
  | { kind: 'rebalancing' }
  | { kind: 'joined'; assignment: Readonly<Record<string, readonly number[]>> }
  | { kind: 'left'; reason: 'stopped' | 'crashed' };

export interface KafkaSubscriberOptions extends SubscriptionOptions {
  /** The client, from `createKafkaClient`. */
  kafka: Kafka;
  /** @default createLogger('transport').child('subscriber') */
  logger?: Logger;
  /**
   * The broker drops a member that sent no heartbeat for this long, in ms.
   * @default 6000
   */
  sessionTimeoutMs?: number;
  /**
   * Heartbeat period, in ms; about a third of `sessionTimeoutMs` or less.
   * @default 1000
   */
  heartbeatIntervalMs?: number;
  /**
   * Time members have to re-join during a rebalance, in ms.
   * @default 60000
   */
  rebalanceTimeoutMs?: number;
  /**
   * Longest a fetch waits on the broker for new messages, in ms. Lower means snappier tests and
   * more idle requests. An idle member heartbeats between fetches: keep it well below
   * `sessionTimeoutMs`.
   * @default 1000
   */
  maxWaitTimeMs?: number;
  /**
   * Handled batches' offsets are committed together at most this often, in ms: one request for
   * every partition instead of one per batch between a batch and the next fetch. A crash
   * re-delivers up to this much handled work (consumers deduplicate). 0 commits every batch
   * before the next fetch.
   * @default 1000
   */
  commitIntervalMs?: number;
  /**
   * Handled messages that may wait for the next commit: once this many do, it goes at once. Bounds
   * the committed lag a busy consumer shows (lag alerts fire above 1,000) and what a crash
   * re-delivers.
   * @default 500
   */
  commitAfterMessages?: number;
  /**
   * Most bytes fetched per partition in one request (bounds a batch's size).
   * @default 1048576
   */
  maxBytesPerPartition?: number;
  /**
   * First pause after a handler rejected a batch, in ms; doubles per failure of the partition.
   * @default 200
   */
  retryBackoffInitialMs?: number;
  /**
   * Longest pause after a handler rejected a batch, in ms.
   * @default 30000
   */
  retryBackoffMaxMs?: number;
  /**
   * `start` rejects when the group was not joined within this many ms.
   * @default 60000
   */
  joinTimeoutMs?: number;
  /** Told of every change of this member's assignment (called synchronously, in order). */
  onMembership?: (event: MembershipEvent) => void;
}

/** A {@link MessageSubscriber} with a few read-outs for health checks, metrics and tests. */
export interface KafkaSubscriber extends MessageSubscriber {
  readonly groupId: string;
  /** Crashes of the underlying consumer since `start` (each one logged as an error). */
  crashCount(): number;
  /** Partitions of this member after its last join, per topic. */
  assignment(): Readonly<Record<string, readonly number[]>>;
}
