/**
 * Retention: an ended saga (completed, compensated, failed, cancelled) is scheduled for deletion
 * `retentionMs` after its last step, in a per-shard sorted set; `purgeExpired` deletes what is due
 * with its history, index entries and counter share, atomically per shard. Parked and running
 * sagas are never in that set, so Redis memory stays bounded by the sagas in flight plus the
 * ended ones of one retention period.
 */
import { UnexpectedScriptReplyError } from './errors.js';
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards } from './pipelines.js';
import { runScript } from './scripts.js';

export interface RetentionContext {
  redis: RedisClient;
  keys: StoreKeys;
}

/** Deletes up to `limitPerShard` sagas per shard whose purge time is at or before `now`. */
export async function purgeExpired(
  { redis, keys }: RetentionContext,
  now: number,
  limitPerShard: number,
): Promise<string[]> {
  const replies = await Promise.all(
    allShards(keys.shards).map((shard) =>
      runScript(
        redis,
        'purgeExpired',
        [keys.expiry(shard), keys.counters(shard), keys.timers(shard)],
        [now, limitPerShard, keys.sagaKeyPrefix(shard), keys.historyKeyPrefix(shard)],
      ),
    ),
  );
  return replies.flatMap((reply) => {
    if (!Array.isArray(reply)) {
      throw new UnexpectedScriptReplyError(`purge-expired answered ${JSON.stringify(reply)}`);
    }
    return reply.map(String);
  });
}

/** Sagas waiting for their purge time, in every shard. */
export async function scheduledForPurge({ redis, keys }: RetentionContext): Promise<number> {
  const counts = await Promise.all(
    allShards(keys.shards).map((shard) => redis.zcard(keys.expiry(shard))),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
