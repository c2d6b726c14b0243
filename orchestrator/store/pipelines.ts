/**
 * Batches of commands in pipelines. A pipeline in Redis Cluster must stay on one node, and a shard
 * is one slot, so on a cluster the commands go in one pipeline per node serving their shards (run
 * side by side): with 64 shards on 3 primaries, 3 pipelines instead of 64. A standalone Redis
 * takes them all in one pipeline: one socket write and one read instead of one per shard, which
 * the bench's profile showed as a cost of its own (docs/benchmarks.md).
 */
import type { ChainableCommander, Cluster } from 'ioredis';
import { shardSlot } from './keys.js';
import type { RedisClient } from './options.js';

/** A command's own outcome in a pipeline: its error, or its reply. */
export type Settled = [error: Error | null, reply: unknown];

/**
 * A keyless command queued last in every pipeline (e.g. `WAIT`): it runs on the node the
 * pipeline's keys live on, after their writes, and `settled` gets its outcome once per pipeline.
 */
export interface PipelineTail {
  queue(pipeline: ChainableCommander): void;
  settled(result: Settled): void;
}

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
  tail?: PipelineTail,
): Promise<Settled[]> {
  const groups = new Map<string, number[]>();
  if (redis.isCluster) {
    const nodeOf = nodeOfShard(redis as Cluster);
    items.forEach((item, index) => {
      const node = nodeOf(shardOfItem(item));
      const group = groups.get(node);
      if (group) group.push(index);
      else groups.set(node, [index]);
    });
  } else {
    groups.set(
      'all',
      Array.from(items, (_, index) => index),
    );
  }
  const settled = new Array<Settled>(items.length);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const pipeline = redis.pipeline();
      for (const index of indices) queue(pipeline, items[index] as T);
      tail?.queue(pipeline);
      const results = (await pipeline.exec()) ?? [];
      if (tail) tail.settled(results[indices.length] ?? [new Error('no reply'), null]);
      if (redis.isCluster && results.some(([error]) => isMoved(error))) {
        // ioredis follows a MOVED inside a pipeline only when every command failed with the same
        // one and none wrote; otherwise (after a failover: a node's shards sit in several slots,
        // and scripts write) nothing refreshes its slot map, and every retry of the batch would
        // go to the node that lost the slots. Refresh it here; the caller retries the batch.
        (redis as Cluster).refreshSlotsCache();
      }
      indices.forEach((index, position) => {
        const [error, reply] = results[position] ?? [new Error('no reply in the pipeline'), null];
        settled[index] = [error, reply];
      });
    }),
  );
  return settled;
}

/**
 * The node a shard's commands go to, by the client's slot map: ioredis sends a pipeline whose keys
 * all live on one node there (its "slots allocation group"). A slot the map does not know yet
 * (before the first refresh) gets a pipeline of its own, as do the shards of a node that moved
 * meanwhile: ioredis then follows the MOVED as for any command.
 */
function nodeOfShard(cluster: Cluster): (shard: number) => string {
  const known = new Map<number, string>();
  return (shard) => {
    let node = known.get(shard);
    if (node === undefined) {
      const slot = shardSlot(shard);
      node = cluster.slots[slot]?.join(',') ?? `slot:${slot}`;
      known.set(shard, node);
    }
    return node;
  };
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

const isMoved = (error: Error | null) => error !== null && error.message.startsWith('MOVED ');
