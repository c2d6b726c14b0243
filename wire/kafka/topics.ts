/**
 * Topic provisioning: makes sure the wire contract's topics exist with the wanted partition
 * count. Idempotent, and safe to run from several instances at once: a topic that exists (or
 * that another instance just created) is left as it is.
 *
 * Partition counts are not silently "fixed". Growing a topic changes which partition each key
 * hashes to, so for a while a saga's old and new messages can sit on two partitions and be read
 * out of order. A count that differs from the wanted one is therefore reported (and logged), and
 * only grown when the caller asks for it (`growPartitions`). Kafka cannot shrink a topic.
 */
import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { topicNames } from '../contract/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** @default min(3, brokers in the cluster) */
  replicationFactor?: number;
  /** Topic-level configuration (`retention.ms`, `min.insync.replicas`, …) applied on creation. */
  config?: Readonly<Record<string, string>>;
}

export interface ContractTopicsOptions {
  /** @default 'saga' (DEFAULT_TOPIC_PREFIX) */
  prefix?: string;
  /** Participants whose `<prefix>.<participant>.commands` topic is wanted. @default [] */
  participants?: readonly string[];
  /**
   * Partitions of every topic: the most consumers of one group that can share the work.
   * @default 12
   */
  partitions?: number;
  /** @default min(3, brokers in the cluster) */
  replicationFactor?: number;
  /** Topic-level configuration applied to every topic on creation. */
  config?: Readonly<Record<string, string>>;
}

/** The specs of the contract's topics: replies, requests, events, dlq and the participants' commands. */
export function contractTopicSpecs(options: ContractTopicsOptions = {}): TopicSpec[] {
  const names = topicNames(options.prefix);
  const partitions = options.partitions ?? 12;
  const topics = [
    names.replies,
    names.requests,
    names.events,
    names.dlq,
    ...(options.participants ?? []).map((participant) => names.commands(participant)),
  ];
  return [...new Set(topics)].map((topic) => {
    const spec: TopicSpec = { topic, partitions };
    if (options.replicationFactor !== undefined) spec.replicationFactor = options.replicationFactor;
    if (options.config) spec.config = options.config;
    return spec;
  });
}

export type TopicOutcome = 'created' | 'exists' | 'grown' | 'partition-mismatch';

export interface TopicReport {
  topic: string;
  outcome: TopicOutcome;
  /** Partitions the topic has now. */
  partitions: number;
  /** Partitions the spec asked for. */
  wantedPartitions: number;
  /** For a mismatch: what differs and what to do about it. */
  message?: string;
}

export interface EnsureTopicsOptions {
  /** A connected kafkajs admin client. */
  admin: Admin;
  topics: readonly TopicSpec[];
  /**
   * Add partitions to an existing topic that has fewer than wanted (see the note above).
   * @default false
   */
  growPartitions?: boolean;
  /**
   * Throw a {@link TopicPartitionMismatchError} when a topic's partition count differs.
   * @default false (report and log a warning)
   */
  failOnMismatch?: boolean;
  /**
   * Time the controller has to create topics or partitions, in ms.
   * @default 30000
   */
  timeoutMs?: number;
  /** @default createLogger('transport').child('topics') */
  logger?: Logger;
}

export class TopicPartitionMismatchError extends Error {
  override readonly name = 'TopicPartitionMismatchError';
  constructor(readonly reports: readonly TopicReport[]) {
    super(
      reports
        .filter((report) => report.outcome === 'partition-mismatch')
        .map((report) => report.message)
        .join('; '),
    );
  }
}

/** Creates the missing topics, checks the others; one report per spec, in the specs' order. */
export async function ensureTopics(options: EnsureTopicsOptions): Promise<TopicReport[]> {
  const { admin, topics } = options;
  const logger = options.logger ?? createLogger('transport').child('topics');
  const timeout = options.timeoutMs ?? 30_000;
  for (const spec of topics) {
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new RangeError(`topic ${spec.topic}: partitions must be a whole number ≥ 1`);
    }
    if (
      spec.replicationFactor !== undefined &&
      (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1)
    ) {
      throw new RangeError(`topic ${spec.topic}: replicationFactor must be a whole number ≥ 1`);
    }
  }
  if (topics.length === 0) return [];

  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((spec) => !existing.has(spec.topic));
  const created = new Set<string>();
  if (missing.length > 0) {
    const { brokers } = await admin.describeCluster();
    const defaultReplication = Math.min(3, brokers.length);
    // One request per topic: a topic another instance created meanwhile answers "already
    // exists" (false) without failing the others.
    await Promise.all(
      missing.map(async (spec) => {
        const config: ITopicConfig = {
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor ?? defaultReplication,
        };
        if (spec.config) {
          config.configEntries = Object.entries(spec.config).map(([name, value]) => ({
            name,
            value,
          }));
        }
        const didCreate = await admin.createTopics({
          topics: [config],
          // Leaders are awaited below, for every missing topic at once: kafkajs' own wait gives
          // up on UNKNOWN_TOPIC_OR_PARTITION, which a busy broker answers for a while after it
          // created the topic (tulios/kafkajs#1222), and the process then failed to start.
          waitForLeaders: false,
          timeout,
        });
        if (didCreate) created.add(spec.topic);
      }),
    );
    await waitForTopicLeaders(
      admin,
      missing.map((spec) => spec.topic),
      timeout,
    );
  }

  const partitionsOf = await partitionCounts(
    admin,
    topics.map((spec) => spec.topic),
    timeout,
  );
  const reports: TopicReport[] = [];
  const toGrow: TopicSpec[] = [];
  for (const spec of topics) {
    const partitions = partitionsOf.get(spec.topic) ?? 0;
    const base = { topic: spec.topic, partitions, wantedPartitions: spec.partitions };
    if (created.has(spec.topic) && partitions === spec.partitions) {
      reports.push({ ...base, outcome: 'created' });
    } else if (partitions === spec.partitions) {
      reports.push({ ...base, outcome: 'exists' });
    } else if (partitions < spec.partitions && options.growPartitions) {
      toGrow.push(spec);
      reports.push({ ...base, outcome: 'grown', partitions: spec.partitions });
    } else {
      const message =
        partitions < spec.partitions
          ? `topic ${spec.topic} has ${partitions} partitions, ${spec.partitions} wanted; growing ` +
            `it re-maps keys to partitions, so do it deliberately (growPartitions) while no saga is in flight`
          : `topic ${spec.topic} has ${partitions} partitions, ${spec.partitions} wanted; ` +
            `Kafka cannot remove partitions, so the topic keeps ${partitions}`;
      reports.push({ ...base, outcome: 'partition-mismatch', message });
    }
  }
  if (toGrow.length > 0) {
    await admin.createPartitions({
      topicPartitions: toGrow.map((spec) => ({ topic: spec.topic, count: spec.partitions })),
      timeout,
    });
    logger.info('grew topics', {
      topics: toGrow.map((spec) => `${spec.topic}:${spec.partitions}`),
    });
  }
  for (const report of reports) {
    if (report.outcome === 'created') logger.info('created topic', { ...report });
    if (report.outcome === 'partition-mismatch') logger.warn(report.message ?? '', { ...report });
  }
  if (options.failOnMismatch && reports.some((r) => r.outcome === 'partition-mismatch')) {
    throw new TopicPartitionMismatchError(reports);
  }
  return reports;
}

/**
 * Partitions of each topic. On a cluster a broker that has not caught up with a topic created a
 * moment ago (through another broker) answers UNKNOWN_TOPIC_OR_PARTITION: asked again, as in
 * {@link waitForTopicLeaders}, until `timeoutMs` has passed.
 */
async function partitionCounts(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      return new Map(metadata.map((entry) => [entry.name, entry.partitions.length]));
    } catch (error) {
      const type = (error as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !METADATA_SETTLING.has(type) || Date.now() >= deadline) {
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
}

/** What a broker answers while a new topic's metadata is still spreading: worth asking again. */
const METADATA_SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** How often {@link waitForTopicLeaders} asks for the metadata again. */
const LEADER_POLL_MS = 100;

/**
 * Resolves once the metadata shows every partition of `topics` with a leader; answers that say
 * the metadata is still settling are asked again until `timeoutMs` has passed.
 */
export async function waitForTopicLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = topics.filter((topic) => {
        const partitions = metadata.find((entry) => entry.name === topic)?.partitions ?? [];
        return partitions.length === 0 || partitions.some((p) => p.leader < 0);
      });
      if (leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.join(', ')}`;
    } catch (error) {
      const type = (error as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !METADATA_SETTLING.has(type)) throw error;
      last = type;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms (last answer: ${last})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
}

/**
 * How many partitions `topic` has now (from the cluster's metadata, through a short-lived admin
 * client). The orchestrators map store shards onto their replies topic's partitions with it.
 */
export async function fetchPartitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics.find((entry) => entry.name === topic)?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions in the metadata`);
    return count;
  } finally {
    await admin.disconnect();
  }
}
