/**
 * Gauge sources backed by the saga store and Kafka: the orchestrator passes these to
 * `telemetry.observe(...)`. Everything here is a read of counters or of the head of a sorted set;
 * nothing scans sagas.
 */
import type { Admin } from 'kafkajs';
import { isEnded } from '../contract/messages.js';
import type { SagaStore } from '../store/saga-store.js';
import type { RedisClient } from '../store/options.js';
import { isIndexMember } from '../store/keys.js';
import { allShards, pipelinePerShard } from '../store/pipelines.js';
import { fetchConsumerLag } from '../transport/kafka/lag.js';
import type { ConsumerLagSource, GaugeSources, OldestInState } from './gauges.js';

type StoreReads = Pick<
  SagaStore,
  'countsByTypeAndState' | 'outboxBacklog' | 'pendingTimers' | 'nextDueAt' | 'shards' | 'keys'
>;

/**
 * The store's gauges. `redis` (the store's client) enables the oldest-saga-per-state gauge, which
 * reads the head of each (type, state) index of every shard.
 */
export function storeGaugeSources(store: StoreReads, redis?: RedisClient): GaugeSources {
  return {
    counts: () => store.countsByTypeAndState(),
    ...(redis ? { oldestInState: () => oldestInState(store, redis) } : {}),
    outboxBacklog: () => store.outboxBacklog(),
    pendingTimers: () => store.pendingTimers(),
    nextTimerDueAt: async () => {
      const dues = await Promise.all(allShards(store.shards).map((s) => store.nextDueAt(s)));
      const armed = dues.filter((due): due is number => due !== undefined);
      return armed.length > 0 ? Math.min(...armed) : undefined;
    },
  };
}

/**
 * The oldest saga of every (type, state) holding sagas that have not ended. Index members start
 * with the saga's creation time (15 digits) and sort by bytes, so the head of a
 * `type-state` index is its oldest saga: one `ZRANGE … BYLEX LIMIT 0 1` per shard and state.
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

/** The lag of a consumer group on its topics, for the consumer-lag gauge. */
export function consumerLagSource(query: {
  admin: Admin;
  groupId: string;
  topics: readonly string[];
}): ConsumerLagSource {
  return { groupId: query.groupId, fetch: () => fetchConsumerLag(query) };
}

/**
 * Everything an orchestrator instance reports: its store's gauges and the lag of its consumer
 * group on the replies and requests topics.
 */
export function orchestratorGaugeSources(query: {
  orchestrator: {
    store: StoreReads;
    topics: { prefix: string; replies: string; requests: string };
  };
  redis: RedisClient;
  admin: Admin;
}): GaugeSources {
  const { orchestrator, redis, admin } = query;
  return {
    ...storeGaugeSources(orchestrator.store, redis),
    consumerLag: [
      consumerLagSource({
        admin,
        groupId: `${orchestrator.topics.prefix}.orchestrator`,
        topics: [orchestrator.topics.replies, orchestrator.topics.requests],
      }),
    ],
  };
}
