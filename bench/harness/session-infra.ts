/**
 * What a bench session makes on the shared Kafka and Redis, and how it is removed: topics under
 * the session's prefix (commands, replies, requests, events, dlq — as the orchestrator would
 * create them), consumer groups, and every Redis key under the session's key prefix.
 */
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import { contractTopicSpecs, ensureTopics } from '../../wire/kafka/index.js';
import { createLogger } from '../../wire/telemetry/logger.js';

export const PARTICIPANT_NAMES = ['inventory', 'payment', 'shipping'] as const;

/** The orchestrator's default partition count (`topicPartitions`). */
export const DEFAULT_PARTITIONS = 12;

export async function createSessionTopics(
  admin: Admin,
  prefix: string,
  replyPartitions: number,
): Promise<void> {
  const specs = contractTopicSpecs({
    prefix,
    participants: [...PARTICIPANT_NAMES],
    partitions: DEFAULT_PARTITIONS,
    replicationFactor: 1,
  }).map((spec) =>
    spec.topic === `${prefix}.replies` ? { ...spec, partitions: replyPartitions } : spec,
  );
  // kafkajs' createTopics with waitForLeaders can fail with UNKNOWN_TOPIC_OR_PARTITION while
  // the new topic's metadata spreads (a busy broker); ensureTopics is idempotent, so go again.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics({
        admin,
        topics: specs,
        failOnMismatch: true,
        logger: createLogger('bench', { level: 'warn' }),
      });
      return;
    } catch (error) {
      if (attempt >= 5 || !isRetriable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable === true;
}

/** Deletes the session's topics, consumer groups and keys; never throws (best effort). */
export async function removeSession(admin: Admin, redis: Redis, prefix: string): Promise<void> {
  const groups = await admin
    .listGroups()
    .then(({ groups: all }) =>
      all.map((g) => g.groupId).filter((id) => id.startsWith(`${prefix}.`)),
    )
    .catch(() => []);
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  const topics = await admin
    .listTopics()
    .then((all) => all.filter((topic) => topic.startsWith(`${prefix}.`)))
    .catch(() => []);
  if (topics.length > 0) {
    await admin.deleteTopics({ topics, timeout: 60_000 }).catch(() => undefined);
  }
  // The store's keys (`<prefix>:…`) and the participants' ledger (`<prefix>-ledger:…`).
  await deleteKeys(redis, `${prefix}:*`);
  await deleteKeys(redis, `${prefix}-*`);
}

/** UNLINKs every key matching `pattern`, a SCAN page at a time. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface KeyBytes {
  keys: number;
  bytes: number;
  sagaRecords: number;
  /** The store's saga hashes, history lists, and per-shard structures (outbox, indexes, timers…). */
  byKind: { record: number; history: number; shard: number };
}

/**
 * Bytes Redis reports for every key matching `pattern` (MEMORY USAGE, pipelined): the exact
 * footprint of this session's data, unlike INFO's process-wide figure, which other users of the
 * shared Redis move too. `sagaRecords` counts the store's saga hashes among them.
 */
export async function keyBytes(redis: Redis, pattern: string): Promise<KeyBytes> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  let sagaRecords = 0;
  const byKind = { record: 0, history: 0, shard: 0 };
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2000);
    cursor = next;
    if (page.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of page) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, value], index) => {
      if (error || typeof value !== 'number') return;
      bytes += value;
      const key = page[index] ?? '';
      if (key.includes('}:saga:')) byKind.record += value;
      else if (key.includes('}:history:')) byKind.history += value;
      else byKind.shard += value;
    });
    keys += page.length;
    sagaRecords += page.filter((key) => key.includes('}:saga:')).length;
  } while (cursor !== '0');
  return { keys, bytes, sagaRecords, byKind };
}

/** Redis's `used_memory` (INFO memory), in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}
