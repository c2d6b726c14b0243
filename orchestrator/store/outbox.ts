/**
 * The per-shard outbox: a Redis Stream the step script appends to, and the relay reads oldest
 * first and deletes once the broker has acknowledged. An entry stays until it is acked, so a
 * relay that dies between publishing and acking publishes it again (at least once).
 */
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards, pipelinePerShard } from './pipelines.js';
import { outboxEntryFromStream } from './record-codec.js';
import type { OutboxEntry } from './types.js';

export interface OutboxContext {
  redis: RedisClient;
  keys: StoreKeys;
}

export async function readOutbox(
  { redis, keys }: OutboxContext,
  shard: number,
  limit: number,
): Promise<OutboxEntry[]> {
  const entries = await redis.xrange(keys.outbox(shard), '-', '+', 'COUNT', limit);
  return entries.map(([id, fields]) => outboxEntryFromStream(id, fields));
}

export async function ackOutbox(
  { redis, keys }: OutboxContext,
  shard: number,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  return redis.xdel(keys.outbox(shard), ...ids);
}

/**
 * How many entries each shard's outbox holds, in one pipeline (one per shard on a cluster): the
 * relay's fallback sweep over every shard it owns is one round trip.
 */
export async function outboxLengths(
  { redis, keys }: OutboxContext,
  shards: readonly number[],
): Promise<number[]> {
  if (shards.length === 0) return [];
  const replies = await pipelinePerShard(
    redis,
    shards,
    (shard) => shard,
    (pipeline, shard) => pipeline.xlen(keys.outbox(shard)),
  );
  return replies.map(Number);
}

export async function outboxBacklog({ redis, keys }: OutboxContext): Promise<number> {
  const lengths = await Promise.all(
    allShards(keys.shards).map((shard) => redis.xlen(keys.outbox(shard))),
  );
  return lengths.reduce((sum, length) => sum + length, 0);
}
