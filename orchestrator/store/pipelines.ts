/**
 * Batches of commands in pipelines. A pipeline in Redis Cluster must stay on one node, and a shard
 * is one slot, so on a cluster the commands go in one pipeline per shard (run side by side). A
 * standalone Redis takes them all in one pipeline: one socket write and one read instead of one
 * per shard, which the bench's profile showed as a cost of its own (docs/benchmarks.md).
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './options.js';

/** A command's own outcome in a pipeline: its error, or its reply. */
export type Settled = [error: Error | null, reply: unknown];

/**
 * Queues one command per item (in its shard's pipeline on a cluster), runs them, and returns
 * each command's error or reply in the items' order; one command's error leaves the others'
 * replies intact. Rejects only when a whole pipeline fails (e.g. the connection is gone).
 */
export async function settledPipelinePerShard<T>(
  redis: RedisClient,
  items: readonly T[],
  shardOfItem: (item: T) => number,
  queue: (pipeline: ChainableCommander, item: T) => void,
): Promise<Settled[]> {
  const groups = new Map<number, number[]>();
  if (redis.isCluster) {
    items.forEach((item, index) => {
      const shard = shardOfItem(item);
      const group = groups.get(shard);
      if (group) group.push(index);
      else groups.set(shard, [index]);
    });
  } else {
    groups.set(
      0,
      Array.from(items, (_, index) => index),
    );
  }
  const settled = new Array<Settled>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const pipeline = redis.pipeline();
      for (const index of indices) queue(pipeline, items[index] as T);
      const results = (await pipeline.exec()) ?? [];
      indices.forEach((index, position) => {
        const [error, reply] = results[position] ?? [new Error('no reply in the pipeline'), null];
        settled[index] = [error, reply];
      });
    }),
  );
  return settled;
}

/**
 * Like {@link settledPipelinePerShard}, but returns the replies alone and throws the first
 * command error (the other commands still ran).
 */
export async function pipelinePerShard<T>(
  redis: RedisClient,
  items: readonly T[],
  shardOfItem: (item: T) => number,
  queue: (pipeline: ChainableCommander, item: T) => void,
): Promise<unknown[]> {
  const settled = await settledPipelinePerShard(redis, items, shardOfItem, queue);
  return settled.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** The numbers 0 … shards − 1. */
export function allShards(shards: number): number[] {
  return Array.from({ length: shards }, (_, shard) => shard);
}
