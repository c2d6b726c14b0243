/**
 * Which shard a saga lives in. A shard is the unit of atomicity in Redis Cluster: a Lua script may
 * only touch keys of one hash slot, and one step must write the saga, the outbox, the timers, the
 * indexes and the counters together, so all of those live under the shard's hash tag.
 */
import { crc32 } from 'node:zlib';

/**
 * The shard of a saga: CRC-32 (IEEE, as in zlib) of the UTF-8 id, modulo the shard count. Any
 * language can compute it, and it never changes for a given id and shard count. The shard count
 * is therefore fixed for the life of the data: changing it strands every saga in the wrong shard.
 */
export function shardOf(sagaId: string, shards: number): number {
  return crc32(sagaId) % shards;
}
