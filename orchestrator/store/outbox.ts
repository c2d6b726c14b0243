/**
 * The per-shard outbox: a Redis Stream the step script appends to, and the relay reads oldest
 * first and deletes once the broker has acknowledged. An entry stays until it is acked, so a
 * relay that dies between publishing and acking publishes it again (at least once).
 *
 * The relay counts its batches in the shard's `relay-batches` hash: `read` when a read found
 * entries (read-outbox-3.lua), `done` when the batch was acked (ack-outbox-3.lua) or failed. A pause takes its saga's entries out of the stream, but a batch read before the
 * pause may still publish some; `relayIdle` lets the pause wait until `done` reaches `read`, so
 * that nothing of the saga is published once the pause has answered. Each is one call, as the
 * XRANGE and XDEL they replace; one HINCRBY more per batch (not per saga) in Redis is the hot
 * path's whole cost.
 */
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards, pipelinePerShard } from './pipelines.js';
import { outboxEntryFromStream } from './outbox-codec.js';
import { runScript } from './scripts.js';
import { epochArg, throwIfFenced } from './shard-epochs.js';
import type { OutboxEntry } from './types.js';

export interface OutboxContext {
  redis: RedisClient;
  keys: StoreKeys;
}

export async function readOutbox(
  { redis, keys }: OutboxContext,
  shard: number,
  limit: number,
  epoch?: number,
): Promise<OutboxEntry[]> {
  const reply = await runScript(
    redis,
    'readOutbox',
    [keys.outbox(shard), keys.relayBatches(shard), keys.ownerEpoch(shard)],
    [limit, epochArg(epoch)],
  );
  throwIfFenced(reply, shard, epoch);
  return (reply as [string, string[]][]).map(([id, fields]) => outboxEntryFromStream(id, fields));
}

/**
 * Deletes published entries and counts their batch done (see the module's comment). With
 * `epoch`, throws `ShardFencedError` (and deletes nothing) when the shard changed owner since.
 */
export async function ackOutbox(
  { redis, keys }: OutboxContext,
  shard: number,
  ids: readonly string[],
  epoch?: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await runScript(
    redis,
    'ackOutbox',
    [keys.outbox(shard), keys.relayBatches(shard), keys.ownerEpoch(shard)],
    [epochArg(epoch), ...ids],
  );
  throwIfFenced(deleted, shard, epoch);
  return Number(deleted);
}

/** A batch the relay read could not be published: it is over all the same (entries stay). */
export async function outboxBatchFailed({ redis, keys }: OutboxContext, shard: number) {
  await redis.hincrby(keys.relayBatches(shard), 'done', 1);
}

/**
 * A relay took the shard (start-up, or a take-over from an instance that may have died in the
 * middle of a batch): every batch started before is over, so `done` catches up with `read` and a
 * pause does not wait for a batch nobody will finish.
 */
export async function relayBatchesTaken({ redis, keys }: OutboxContext, shard: number) {
  const read = await redis.hget(keys.relayBatches(shard), 'read');
  if (read !== null) await redis.hset(keys.relayBatches(shard), 'done', read);
}

/**
 * Whether no relay batch of the shard is in flight now, and if one is, the count of started
 * batches to wait for: the caller polls until `done` reaches it.
 */
export async function relayBatches(
  { redis, keys }: OutboxContext,
  shard: number,
): Promise<{ read: number; done: number }> {
  const [read, done] = await redis.hmget(keys.relayBatches(shard), 'read', 'done');
  return { read: Number(read ?? 0), done: Number(done ?? 0) };
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
