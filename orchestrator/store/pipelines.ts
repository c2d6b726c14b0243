/**
 * Batches of commands, one pipeline per shard. A pipeline in Redis Cluster must stay on one node,
 * and a shard is one slot, so grouping by shard works on a cluster and costs nothing standalone:
 * every pipeline is written at once and they run side by side.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './options.js';
import { execPipeline } from './scripts.js';

/**
 * Queues one command per item in its shard's pipeline, runs them all, and returns the replies in
 * the items' order. Throws the first command error (the other commands still ran).
 */
export async function pipelinePerShard<T>(
  redis: RedisClient,
  items: readonly T[],
  shardOfItem: (item: T) => number,
  queue: (pipeline: ChainableCommander, item: T) => void,
): Promise<unknown[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, index) => {
    const shard = shardOfItem(item);
    const group = groups.get(shard);
    if (group) group.push(index);
    else groups.set(shard, [index]);
  });
  const replies = new Array<unknown>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const pipeline = redis.pipeline();
      for (const index of indices) queue(pipeline, items[index] as T);
      const results = await execPipeline(pipeline);
      indices.forEach((index, position) => {
        replies[index] = results[position];
      });
    }),
  );
  return replies;
}

/** The numbers 0 … shards − 1. */
export function allShards(shards: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard);
}
