/**
 * `listSagas`: a page of saga summaries from the indexes, newest first, across all shards.
 * Served from the per-shard index sorted sets only (never a SCAN of the keyspace): `createdBefore`
 * starts the read lower in the indexes' order, `idPrefix` is checked on the index members before
 * any saga is read, and `overdueBefore` reads the shards' timer sets instead (list-overdue.ts).
 */
import { parseCounterField, sagaIdOfIndexMember } from './keys.js';
import type { StoreKeys } from './keys.js';
import {
  checkLimit,
  encodeCursor,
  indexForQuery,
  matchesQuery,
  mergeNewestFirst,
  needsEndedTypes,
  startBound,
} from './list-cursor.js';
import { listOverdue } from './list-overdue.js';
import type { RedisClient } from './options.js';
import { allShards } from './pipelines.js';
import type { SagaStatus } from '../engine/index.js';
import type { ListPage, ListQuery, SagaSummary } from './types.js';

export interface ListContext {
  redis: RedisClient;
  keys: StoreKeys;
  /** Most index entries examined per call before a short page is returned with a cursor. */
  scanLimit: number;
  loadSummaries(ids: readonly string[]): Promise<(SagaSummary | undefined)[]>;
}

/** Index entries read per round trip while an id prefix skips most of them. */
const PREFIX_BATCH = 200;

export async function listSagas(context: ListContext, query: ListQuery): Promise<ListPage> {
  const { redis, keys } = context;
  const limit = checkLimit(query.limit);
  if (query.overdueBefore !== undefined) return listOverdue(context, query, limit);
  const endedTypes = needsEndedTypes(query) ? await endedTypesByShard(context) : [];
  const indexKeys = allShards(keys.shards).flatMap(
    indexForQuery(keys, query, (shard, status) => [...(endedTypes[shard]?.get(status) ?? [])]),
  );
  const found: { summary: SagaSummary; member: string }[] = [];
  let bound = startBound(query);
  const { idPrefix } = query;
  let examined = 0;

  for (;;) {
    // One more than the page, to know whether another page exists.
    // With an id prefix most entries are skipped unread: take them in larger bites, within the
    // scan bound.
    const bite = idPrefix === undefined ? 0 : Math.min(PREFIX_BATCH, context.scanLimit - examined);
    const wanted = Math.max(limit + 1 - found.length, bite);
    const lists = await Promise.all(
      indexKeys.map((key) => redis.zrange(key, bound, '-', 'BYLEX', 'REV', 'LIMIT', 0, wanted)),
    );
    const candidates = mergeNewestFirst(lists, wanted);
    // The id is in the member: sagas of another prefix are skipped without being read.
    const read =
      idPrefix === undefined
        ? candidates
        : candidates.filter((member) => sagaIdOfIndexMember(member).startsWith(idPrefix));
    const summaries = await context.loadSummaries(read.map(sagaIdOfIndexMember));
    examined += candidates.length - read.length;
    for (const [position, member] of read.entries()) {
      examined += 1;
      const summary = summaries[position];
      if (summary && matchesQuery(summary, query)) found.push({ summary, member });
      if (found.length > limit) {
        const items = found.slice(0, limit);
        return {
          items: items.map((item) => item.summary),
          nextCursor: encodeCursor(items[limit - 1]?.member ?? member),
        };
      }
    }
    const items = found.map((item) => item.summary);
    const last = candidates[candidates.length - 1];
    // Fewer than asked across all indexes: every one is exhausted.
    if (last === undefined || candidates.length < wanted) return { items };
    if (examined >= context.scanLimit) return { items, nextCursor: encodeCursor(last) };
    bound = `(${last}`;
  }
}

/**
 * Per shard, the types of the ended sagas it holds, by status: the fields of its counters hash
 * (`<type>:<state>:<status>`), which every step moves with the indexes in one script.
 */
async function endedTypesByShard({
  redis,
  keys,
}: ListContext): Promise<Map<SagaStatus, Set<string>>[]> {
  const fields = await Promise.all(
    allShards(keys.shards).map((shard) => redis.hkeys(keys.counters(shard))),
  );
  return fields.map((names) => {
    const types = new Map<SagaStatus, Set<string>>();
    for (const name of names) {
      const field = parseCounterField(name);
      if (!field) continue;
      const status = field.status as SagaStatus;
      const set = types.get(status) ?? new Set<string>();
      set.add(field.type);
      types.set(status, set);
    }
    return types;
  });
}
