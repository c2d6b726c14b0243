/**
 * Shard leases: one owner relays a shard's outbox at a time, so the shard's messages (and
 * therefore each saga's) go out in order. A lease is a key with the owner's id that Redis expires;
 * only the owner may renew or release it, and anyone may take it once it has expired.
 */
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { interpretOkReply } from './script-status.js';
import { pipelinePerShard } from './pipelines.js';
import { queueScript, runScript } from './scripts.js';

export interface LeaseContext {
  redis: RedisClient;
  keys: StoreKeys;
}

export async function tryAcquireLease(
  { redis, keys }: LeaseContext,
  shard: number,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  return interpretOkReply(
    'acquire-lease',
    await runScript(redis, 'acquireLease', [keys.lease(shard)], [owner, ttlMs]),
  );
}

export async function renewLease(
  { redis, keys }: LeaseContext,
  shard: number,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  return interpretOkReply(
    'renew-lease',
    await runScript(redis, 'renewLease', [keys.lease(shard)], [owner, ttlMs]),
  );
}

/**
 * {@link renewLease} of several shards in one pipeline (one per shard on a cluster): an instance
 * renews every lease it holds in one round trip.
 */
export async function renewLeases(
  { redis, keys }: LeaseContext,
  shards: readonly number[],
  owner: string,
  ttlMs: number,
): Promise<boolean[]> {
  if (shards.length === 0) return [];
  const replies = await pipelinePerShard(
    redis,
    shards,
    (shard) => shard,
    (pipeline, shard) => queueScript(pipeline, 'renewLease', [keys.lease(shard)], [owner, ttlMs]),
  );
  return replies.map((reply) => interpretOkReply('renew-lease', reply));
}

export async function releaseLease(
  { redis, keys }: LeaseContext,
  shard: number,
  owner: string,
): Promise<boolean> {
  return interpretOkReply(
    'release-lease',
    await runScript(redis, 'releaseLease', [keys.lease(shard)], [owner]),
  );
}

export async function leaseOwner(
  { redis, keys }: LeaseContext,
  shard: number,
): Promise<string | undefined> {
  return (await redis.get(keys.lease(shard))) ?? undefined;
}

/**
 * Records that `owner` is alive until `now + ttlMs`, forgets instances whose time has passed, and
 * says how many are alive (this one included), so instances can split the shards fairly.
 */
export async function heartbeat(
  { redis, keys }: LeaseContext,
  owner: string,
  now: number,
  ttlMs: number,
): Promise<number> {
  const replies = await redis
    .multi()
    .zadd(keys.members, now + ttlMs, owner)
    .zremrangebyscore(keys.members, '-inf', `(${now}`)
    .zcard(keys.members)
    .exec();
  const count = replies?.[2]?.[1];
  if (typeof count !== 'number') throw new Error('heartbeat: unexpected reply from Redis');
  return count;
}
