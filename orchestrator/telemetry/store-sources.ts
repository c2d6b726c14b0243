/**
 * Gauge sources backed by the saga store and Kafka: the orchestrator passes these to
 * `telemetry.observe(...)`. Everything here is a read of counters or of the head of a sorted set;
 * nothing scans sagas.
 */
import type { Admin } from 'kafkajs';
import { allShards, oldestInState, type RedisClient, type SagaStore } from '../store/index.js';
import { fetchConsumerLag } from '../../wire/kafka/index.js';
import type { ConsumerLagSource, GaugeSources } from './gauges.js';

/** The store answers it (it reads the store's index format); re-exported for the gauges' callers. */
export { oldestInState };

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
