/**
 * Saga counts for metrics, kept by the step script in one small hash per shard
 * (`<type>:<state>:<status>` → sagas stored now), so reading them is N HGETALLs, not a scan.
 */
import type { SagaStatus } from '../engine/index.js';
import { parseCounterField, type StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards } from './pipelines.js';
import type { SagaCount } from './types.js';

export interface CounterContext {
  redis: RedisClient;
  keys: StoreKeys;
}

/** Sagas stored now per (type, state, status), ended ones included until they are purged. */
export async function countsByTypeAndState({ redis, keys }: CounterContext): Promise<SagaCount[]> {
  const hashes = await Promise.all(
    allShards(keys.shards).map((shard) => redis.hgetall(keys.counters(shard))),
  );
  const totals = new Map<string, SagaCount>();
  for (const hash of hashes) {
    for (const [field, value] of Object.entries(hash)) {
      const parsed = parseCounterField(field);
      const count = Number(value);
      if (!parsed || !Number.isFinite(count) || count <= 0) continue;
      const total = totals.get(field);
      if (total) total.count += count;
      else totals.set(field, { ...parsed, status: parsed.status as SagaStatus, count });
    }
  }
  return [...totals.values()];
}

/** Sagas stored now per status. */
export function countsByStatus(counts: readonly SagaCount[]): Partial<Record<SagaStatus, number>> {
  const byStatus: Partial<Record<SagaStatus, number>> = {};
  for (const { status, count } of counts) byStatus[status] = (byStatus[status] ?? 0) + count;
  return byStatus;
}
