/**
 * Every Redis key and every composite member the store uses is named here, and only here (cf.
 * BullMQ's `QueueKeys`). The Lua scripts receive these names (or, where a script must derive a
 * saga's keys from an id it reads, the `sagaKeyPrefix` / `historyKeyPrefix` built here), and store
 * the index keys and members a saga sits in on the saga's hash, so no script re-invents a name.
 *
 * Layout, for key prefix `saga` and a saga in shard 3 (`{s3}` is the hash tag):
 *
 * | key                                        | type   | holds                                    |
 * | ------------------------------------------ | ------ | ---------------------------------------- |
 * | `saga:{s3}:saga:<id>`                      | hash   | the record (meta fields + JSON)          |
 * | `saga:{s3}:history:<id>`                   | list   | history entries (JSON), oldest first     |
 * | `saga:{s3}:outbox`                         | stream | messages to publish, in commit order     |
 * | `saga:{s3}:timers`                         | zset   | `<id>\0<timerId>` scored by due time     |
 * | `saga:{s3}:timers-paused-through`          | string | end of the last outage timers waited for |
 * | `saga:{s3}:expiry`                         | zset   | ids of ended sagas, scored by purge time |
 * | `saga:{s3}:counts`                         | hash   | `<type>:<state>:<status>` → sagas        |
 * | `saga:{s3}:owner-epoch`                     | string | bumped by each instance taking the shard |
|                                            |        | (shard-epochs.ts): fences a stale owner  |
 * | `saga:{s3}:relay-batches`                  | hash   | outbox batches the relay `read` / has    |
 * |                                            |        | `done` (a pause waits for one in flight) |
 * | `saga:{s3}:idx:status:<status>`            | zset   | index members (see below); running and   |
 * |                                            |        | parked sagas only                        |
 * | `saga:{s3}:idx:type-status:<type>:<status>`| zset   |                                          |
 * | `saga:{s3}:idx:type-state:<type>:<state>`  | zset   |                                          |
 *
 * Why the hash tag is the shard and not the saga id: one step must change the saga's record, its
 * history, the shard's outbox, timers, indexes, counters and expiry schedule in ONE atomic
 * script, and Redis Cluster lets a script touch only keys of one slot. Tagging by saga id would
 * put the saga in one slot and the outbox/timers/indexes in others. Tagging by shard keeps every
 * key of one saga under one tag (so "every key of a saga shares a hash tag" still holds) and puts
 * the shard's shared structures next to it. See `docs/store.md`.
 *
 * Index members are `<createdAt, 15 digits>:<id>` in sorted sets whose scores are all 0, so
 * Redis orders them by bytes: newest first with `ZRANGE … BYLEX REV`, ties broken by id, and a
 * cursor is simply the last member returned.
 */
import { isEnded } from '../../wire/contract/index.js';
import type { SagaRecord, SagaStatus } from '../engine/index.js';
import calculateSlot from 'cluster-key-slot';
import { shardOf } from './shard.js';

/** Separates the saga id from the timer id in a timer member; saga ids may not contain it. */
export const TIMER_MEMBER_SEPARATOR = '\u0000';

const CREATED_AT_DIGITS = 15;

export interface StoreKeys {
  readonly prefix: string;
  readonly shards: number;
  shardOf: (sagaId: string) => number;
  /** `<prefix>:{s<shard>}:`, the start of every key of the shard. */
  shardBase: (shard: number) => string;
  saga: (sagaId: string) => string;
  history: (sagaId: string) => string;
  /** `saga(id)` is `sagaKeyPrefix(shard) + id`: for scripts that read ids from a set. */
  sagaKeyPrefix: (shard: number) => string;
  /** `history(id)` is `historyKeyPrefix(shard) + id`. */
  historyKeyPrefix: (shard: number) => string;
  outbox: (shard: number) => string;
  timers: (shard: number) => string;
  /** When the last outage the shard's timers were pushed back for ended (pause-timers.lua). */
  timersPausedThrough: (shard: number) => string;
  expiry: (shard: number) => string;
  counters: (shard: number) => string;
  /** Bumped by each instance that takes the shard; the relay and poller check it (fencing). */
  ownerEpoch: (shard: number) => string;
  /** Outbox batches the relay started (`read`) and finished (`done`): see outbox.ts. */
  relayBatches: (shard: number) => string;
  indexByStatus: (shard: number, status: SagaStatus) => string;
  indexByTypeStatus: (shard: number, type: string, status: SagaStatus) => string;
  indexByTypeState: (shard: number, type: string, state: string) => string;
  /**
   * The index keys a record belongs in (all in the record's shard): by type and status, by type
   * and state, and, unless it has ended, by status. Listing by type alone, or by nothing, merges
   * the status indexes (list-cursor.ts); records written before issue 13 also sit
   * in `idx:all` and `idx:type:<type>`, which their next step or their purge leaves.
   */
  indexKeysOf: (record: Pick<SagaRecord, 'id' | 'type' | 'status' | 'state'>) => string[];
}

/**
 * The Redis Cluster slot of every key of `shard`: its hash tag is `{s<shard>}` whatever the key
 * prefix (a prefix may not hold braces), so the slot is the same for every deployment.
 */
export function shardSlot(shard: number): number {
  return calculateSlot(`{s${shard}}`);
}

/** Key names for one deployment (key prefix) and shard count. */
export function createStoreKeys(prefix: string, shards: number): StoreKeys {
  const shardBase = (shard: number) => `${prefix}:{s${shard}}:`;
  const keys: StoreKeys = {
    prefix,
    shards,
    shardOf: (sagaId) => shardOf(sagaId, shards),
    shardBase,
    saga: (sagaId) => `${shardBase(shardOf(sagaId, shards))}saga:${sagaId}`,
    history: (sagaId) => `${shardBase(shardOf(sagaId, shards))}history:${sagaId}`,
    sagaKeyPrefix: (shard) => `${shardBase(shard)}saga:`,
    historyKeyPrefix: (shard) => `${shardBase(shard)}history:`,
    outbox: (shard) => `${shardBase(shard)}outbox`,
    timers: (shard) => `${shardBase(shard)}timers`,
    timersPausedThrough: (shard) => `${shardBase(shard)}timers-paused-through`,
    expiry: (shard) => `${shardBase(shard)}expiry`,
    counters: (shard) => `${shardBase(shard)}counts`,
    ownerEpoch: (shard) => `${shardBase(shard)}owner-epoch`,
    relayBatches: (shard) => `${shardBase(shard)}relay-batches`,
    indexByStatus: (shard, status) => `${shardBase(shard)}idx:status:${status}`,
    indexByTypeStatus: (shard, type, status) =>
      `${shardBase(shard)}idx:type-status:${part(type)}:${status}`,
    indexByTypeState: (shard, type, state) =>
      `${shardBase(shard)}idx:type-state:${part(type)}:${part(state)}`,
    indexKeysOf(record) {
      const shard = shardOf(record.id, shards);
      const byType = [
        keys.indexByTypeStatus(shard, record.type, record.status),
        keys.indexByTypeState(shard, record.type, record.state),
      ];
      // An ended saga is not in its status's index (~160 B less until its purge): a page by that
      // status merges its type-and-status indexes, the types named by the shard's counters.
      return isEnded(record.status)
        ? byType
        : [keys.indexByStatus(shard, record.status), ...byType];
    },
  };
  return keys;
}

/**
 * Free-form names (saga types, state paths) are percent-encoded inside key names so that `:` in
 * a name can never make two different (type, state) pairs share a key.
 */
function part(name: string): string {
  return encodeURIComponent(name);
}

/** The member a saga has in every index: sorts by creation time, then id. */
export function indexMember(record: Pick<SagaRecord, 'id' | 'createdAt'>): string {
  return `${String(record.createdAt).padStart(CREATED_AT_DIGITS, '0')}:${record.id}`;
}

/**
 * The exclusive upper bound (for `ZRANGE … BYLEX REV`) below which every member is of a saga
 * created before `createdAt`: a member of a saga created at `createdAt` starts with these digits
 * and sorts after them.
 */
export function indexBoundBefore(createdAt: number): string {
  return String(Math.max(0, Math.floor(createdAt))).padStart(CREATED_AT_DIGITS, '0');
}

/** The saga id of a member of a shard's timer set. */
export function sagaIdOfTimerMember(member: string): string {
  const end = member.indexOf(TIMER_MEMBER_SEPARATOR);
  return end < 0 ? member : member.slice(0, end);
}

/** Whether a string has the shape of an index member (a cursor must be one). */
export function isIndexMember(value: string): boolean {
  return /^\d{15}:./su.test(value);
}

/** The saga id inside an index member. */
export function sagaIdOfIndexMember(member: string): string {
  return member.slice(CREATED_AT_DIGITS + 1);
}

/** The field of the shard's counter hash that counts sagas of this type, state and status. */
export function counterField(type: string, state: string, status: SagaStatus): string {
  return `${part(type)}:${part(state)}:${status}`;
}

export function parseCounterField(
  field: string,
): { type: string; state: string; status: string } | undefined {
  const [type, state, status, ...rest] = field.split(':');
  if (type === undefined || state === undefined || status === undefined || rest.length > 0) {
    return undefined;
  }
  return { type: decodeURIComponent(type), state: decodeURIComponent(state), status };
}

/** The member of the shard's timer set for one armed timer of one saga. */
export function timerMember(sagaId: string, timerId: string): string {
  return `${sagaId}${TIMER_MEMBER_SEPARATOR}${timerId}`;
}
