/**
 * Overdue sagas ("stuck past a deadline"): running sagas with an armed timer due before a given
 * instant that has not fired. Every step deadline, retry backoff and approval deadline is a member
 * of its shard's timer set scored by its due time, and a poller that claims one moves its score
 * to the end of its claim, so the timers due long ago are the first members of each set: read with
 * `ZRANGE … BYSCORE` per shard, never a scan of the sagas.
 *
 * The page keeps the list's order and cursor (newest first, by index member): the overdue sagas
 * (at most {@link OVERDUE_SCAN_LIMIT} timers per shard, the longest overdue first) are read on
 * every page and the cursor picks up below the last one handed out. Overdue sagas are few in a
 * healthy system; past the cap, the list shows the longest overdue ones.
 */
import { compareBytes, decodeCursor, encodeCursor, matchesQuery } from './list-cursor.js';
import { indexMember, sagaIdOfTimerMember, type StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards } from './pipelines.js';
import type { ListPage, ListQuery, SagaSummary } from './types.js';

/** Most overdue timers read per shard for one page. */
export const OVERDUE_SCAN_LIMIT = 1_000;

export interface OverdueContext {
  redis: RedisClient;
  keys: StoreKeys;
  loadSummaries(ids: readonly string[]): Promise<(SagaSummary | undefined)[]>;
}

export async function listOverdue(
  context: OverdueContext,
  query: ListQuery,
  limit: number,
): Promise<ListPage> {
  const { redis, keys } = context;
  const overdueBefore = query.overdueBefore ?? 0;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const timers = await Promise.all(
    allShards(keys.shards).map((shard) =>
      redis.zrange(
        keys.timers(shard),
        '-inf',
        `(${overdueBefore}`,
        'BYSCORE',
        'LIMIT',
        0,
        OVERDUE_SCAN_LIMIT,
      ),
    ),
  );
  const ids = [...new Set(timers.flat().map(sagaIdOfTimerMember))].filter(
    (id) => query.idPrefix === undefined || id.startsWith(query.idPrefix),
  );
  const summaries = await context.loadSummaries(ids);
  const matching = summaries
    .flatMap((summary) =>
      summary !== undefined && matchesQuery(summary, query)
        ? [{ summary, member: indexMember(summary) }]
        : [],
    )
    .filter(({ member }) => after === undefined || compareBytes(member, after) < 0)
    .sort((a, b) => compareBytes(b.member, a.member));
  const page = matching.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((item) => item.summary),
    ...(matching.length > limit && last ? { nextCursor: encodeCursor(last.member) } : {}),
  };
}
