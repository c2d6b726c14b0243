/**
 * Shard epochs: the fence of shard ownership. Who owns a shard is decided by the orchestrators'
 * Kafka consumer group (runtime/shard-ownership.ts), but a member can lose its partitions without
 * knowing at once (a long pause, cut off from the brokers while it still reaches Redis). So each
 * instance that takes a shard bumps the shard's epoch (INCRBY) and keeps the value; the scripts that
 * move a shard's work on (read-outbox, ack-outbox, claim-timers) compare it, and a stale owner
 * finds it moved and stops (`ShardFencedError`).
 *
 * A take adds a random step (1 to a million) rather than 1: should Redis lose the last bump (a
 * crash with `appendfsync everysec`), the next take must not land on the value the stale owner
 * holds, which a plain INCR would do. The epoch still only grows.
 */
import { randomInt } from 'node:crypto';
import { ShardFencedError, UnexpectedScriptReplyError } from './errors.js';
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { pipelinePerShard } from './pipelines.js';
import { ScriptStatus } from './script-status.js';

export interface ShardEpochContext {
  redis: RedisClient;
  keys: StoreKeys;
}

const EPOCH_STEPS = 1_000_000;

/** Bumps the epoch of each shard, in one pipeline (one per node on a cluster); the new epochs. */
export async function takeShards(
  { redis, keys }: ShardEpochContext,
  shards: readonly number[],
): Promise<number[]> {
  if (shards.length === 0) return [];
  const replies = await pipelinePerShard(
    redis,
    shards,
    (shard) => shard,
    (pipeline, shard) => pipeline.incrby(keys.ownerEpoch(shard), 1 + randomInt(EPOCH_STEPS)),
  );
  return replies.map((reply) => {
    if (typeof reply !== 'number') {
      throw new UnexpectedScriptReplyError(`INCRBY of a shard epoch answered ${String(reply)}`);
    }
    return reply;
  });
}

/** The shard's epoch now (0 when nobody took it yet). */
export async function shardEpoch({ redis, keys }: ShardEpochContext, shard: number) {
  return Number((await redis.get(keys.ownerEpoch(shard))) ?? 0);
}

/** The ARGV a fenced script takes for `epoch` ('' skips the check: tools and tests). */
export function epochArg(epoch: number | undefined): string {
  return epoch === undefined ? '' : String(epoch);
}

/** Throws `ShardFencedError` when a fenced script answered so. */
export function throwIfFenced(reply: unknown, shard: number, epoch: number | undefined): void {
  if (reply === ScriptStatus.Fenced) throw new ShardFencedError(shard, epoch ?? 0);
}
