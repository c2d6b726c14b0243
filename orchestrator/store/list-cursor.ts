/**
 * Paging across shards, pure: which index serves a query, how the shards' pages merge, and the
 * opaque cursor. Every index orders its members (`<createdAt>:<id>`) by bytes, as Redis does with
 * BYLEX, so the newest-first order is total and the same in every shard; a page is the top of the
 * shards' merged lists, and the cursor is the last member handed out.
 */
import { SAGA_STATUSES, isEnded, type SagaStatus } from '../../wire/contract/index.js';
import { InvalidQueryError } from './errors.js';
import { indexBoundBefore, isIndexMember } from './keys.js';
import type { StoreKeys } from './keys.js';
import type { ListQuery, SagaSummary } from './types.js';

export const MAX_LIST_LIMIT = 500;
export const DEFAULT_LIST_LIMIT = 50;

/**
 * The indexes (per shard) that together hold every saga the query can match, as few others as
 * possible. A running or parked saga sits in three (its status, type and status, type and state),
 * an ended one in two (not its status's: a saga costs ~160 B of Redis per index it is in, and the
 * ended ones are most of what is stored), so a page by an ended status without a type merges the
 * type-and-status indexes of every type that has sagas of that status in the shard
 * (`endedTypes`, from the shard's counters). A query by type alone or by nothing reads one index
 * per status: each saga is in exactly one of them, and their members merge like the shards'.
 */
export function indexForQuery(
  keys: StoreKeys,
  query: ListQuery,
  endedTypes: (shard: number, status: SagaStatus) => readonly string[] = () => [],
): (shard: number) => string[] {
  const { type, status, state } = query;
  if (type !== undefined && state !== undefined) {
    return (shard) => [keys.indexByTypeState(shard, type, state)];
  }
  if (type !== undefined && status !== undefined) {
    return (shard) => [keys.indexByTypeStatus(shard, type, status)];
  }
  const byStatus = (shard: number, each: SagaStatus): string[] =>
    isEnded(each)
      ? endedTypes(shard, each).map((endedType) => keys.indexByTypeStatus(shard, endedType, each))
      : [keys.indexByStatus(shard, each)];
  if (status !== undefined) return (shard) => byStatus(shard, status);
  if (type !== undefined) {
    return (shard) => SAGA_STATUSES.map((each) => keys.indexByTypeStatus(shard, type, each));
  }
  return (shard) => SAGA_STATUSES.flatMap((each) => byStatus(shard, each));
}

/** Whether {@link indexForQuery} needs the types of the ended sagas stored in each shard. */
export function needsEndedTypes(query: ListQuery): boolean {
  if (query.type !== undefined) return false;
  return query.status === undefined || isEnded(query.status);
}

/**
 * Whether a saga matches every filter of the query. Checked on every item, so a page never shows
 * a saga that moved out of the filter between reading the index and reading the saga.
 */
export function matchesQuery(summary: SagaSummary, query: ListQuery): boolean {
  return (
    (query.type === undefined || summary.type === query.type) &&
    (query.status === undefined || summary.status === query.status) &&
    (query.state === undefined || summary.state === query.state) &&
    (query.idPrefix === undefined || summary.id.startsWith(query.idPrefix)) &&
    (query.createdBefore === undefined || summary.createdAt < query.createdBefore) &&
    // Overdue is about running sagas: a parked or ended one has no deadline that still counts.
    (query.overdueBefore === undefined || summary.status === 'running')
  );
}

/**
 * The exclusive upper bound of the first read: the cursor's member or the creation-time bound,
 * whichever is lower (both exclusive); `+` (everything) without either.
 */
export function startBound(query: Pick<ListQuery, 'cursor' | 'createdBefore'>): string {
  const bounds = [
    ...(query.cursor !== undefined ? [decodeCursor(query.cursor)] : []),
    ...(query.createdBefore !== undefined ? [indexBoundBefore(query.createdBefore)] : []),
  ].sort(compareBytes);
  const lowest = bounds[0];
  return lowest === undefined ? '+' : `(${lowest}`;
}

/** Redis's order for BYLEX: plain bytes of the UTF-8 strings. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The first `take` members of the indexes' newest-first lists, merged newest first. */
export function mergeNewestFirst(lists: readonly (readonly string[])[], take: number): string[] {
  return lists
    .flat()
    .sort((a, b) => compareBytes(b, a))
    .slice(0, take);
}

export function encodeCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

/** The member a cursor stands for; an unknown cursor is the caller's error. */
export function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isIndexMember(member) || encodeCursor(member) !== cursor) {
    throw new InvalidQueryError(`'${cursor}' is not a cursor of this list`);
  }
  return member;
}

export function checkLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_LIST_LIMIT) {
    throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  return value;
}
