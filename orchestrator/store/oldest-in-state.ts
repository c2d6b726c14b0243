/**
 * The oldest saga of every (type, state) that holds sagas which have not ended, for the
 * oldest-saga-per-state gauge. It reads the store's own index format, so it lives with the store.
 */
import { isEnded } from '../../wire/contract/index.js';
import type { SagaStatus } from '../engine/index.js';
import { isIndexMember } from './keys.js';
import { allShards, pipelinePerShard } from './pipelines.js';
import type { RedisClient } from './options.js';
import type { SagaStore } from './types.js';

/** The oldest saga (by start time) in a (type, state, status). */
export interface OldestInState {
  type: string;
  state: string;
  status: SagaStatus;
  createdAt: number;
}

/**
 * Index members start with the saga's creation time (15 digits) and sort by bytes, so the head of
 * a `type-state` index is its oldest saga: one `ZRANGE … BYLEX LIMIT 0 1` per shard and state.
 */
export async function oldestInState(
  store: Pick<SagaStore, 'countsByTypeAndState' | 'shards' | 'keys'>,
  redis: RedisClient,
): Promise<OldestInState[]> {
  const counts = (await store.countsByTypeAndState()).filter(
    (c) => c.count > 0 && !isEnded(c.status),
  );
  const queries = counts.flatMap((count) =>
    allShards(store.shards).map((shard) => ({ count, shard })),
  );
  const replies = await pipelinePerShard(
    redis,
    queries,
    (query) => query.shard,
    (pipeline, { count, shard }) =>
      pipeline.zrange(
        store.keys.indexByTypeState(shard, count.type, count.state),
        '-',
        '+',
        'BYLEX',
        'LIMIT',
        0,
        1,
      ),
  );
  const oldest = new Map<string, OldestInState>();
  queries.forEach(({ count }, index) => {
    const [member] = (replies[index] as string[] | undefined) ?? [];
    if (member === undefined || !isIndexMember(member)) return;
    const createdAt = Number(member.slice(0, 15));
    const key = `${count.type}\u0000${count.state}\u0000${count.status}`;
    const known = oldest.get(key);
    if (!known || createdAt < known.createdAt) {
      oldest.set(key, { type: count.type, state: count.state, status: count.status, createdAt });
    }
  });
  return [...oldest.values()];
}
