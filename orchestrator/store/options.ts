import type { Cluster, Redis } from 'ioredis';
import type { ReplicaAcks } from '../config/index.js';
import { StoreConfigError } from './errors.js';

/** A standalone connection or a cluster client; the store works with either. */
export type RedisClient = Redis | Cluster;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The default `retentionMs`: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * DAY_MS;

export interface SagaStoreOptions {
  /**
   * The connection to use (the store never closes it). It must not have ioredis's own
   * `keyPrefix` option: scripts build some key names themselves and would miss that prefix.
   */
  redis: RedisClient;
  /**
   * Starts every key, so several deployments (or test files) can share one Redis.
   * May not contain `{`, `}` (they would change the hash tag) or control characters.
   * @default 'saga'
   */
  keyPrefix?: string;
  /**
   * How many shards (hash tags) the sagas are spread over. Fixed for the life of the data:
   * `shard = crc32(sagaId) mod shards`, so changing it strands existing sagas. In Redis Cluster
   * each shard is one slot; use several times the number of primaries (e.g. 64–256) to spread
   * the load.
   * @default 16
   */
  shards?: number;
  /**
   * How long a saga that ended (completed, compensated, failed, cancelled) is kept before
   * `purgeExpired` deletes it. Parked and running sagas are never purged.
   * @default 7 days
   */
  retentionMs?: number;
  /**
   * The most history entries kept per saga; older ones are dropped (and counted) so a saga that
   * retries for weeks cannot grow without bound.
   * @default 500
   */
  historyLimit?: number;
  /**
   * The most index entries one `listSagas` call examines when a filter cannot be served by an
   * index alone; past it, the call returns a short page with a cursor to continue.
   * @default 2000
   */
  listScanLimit?: number;
  /**
   * Replicas that must acknowledge each batch of saga writes (Redis `WAIT`, queued after the
   * writes on each node) before the store answers; see `replica-acks.ts`. Absent: no wait (one
   * Redis without replicas). On a Redis Cluster with one replica per primary: `{ replicas: 1 }`.
   * @default undefined
   */
  replicaAcks?: ReplicaAcks;
}

export interface CompiledSagaStoreOptions {
  redis: RedisClient;
  keyPrefix: string;
  shards: number;
  retentionMs: number;
  historyLimit: number;
  listScanLimit: number;
  replicaAcks: ReplicaAcks | undefined;
}

/** Fills defaults and rejects what cannot work, at start-up rather than on the first step. */
export function compileSagaStoreOptions(options: SagaStoreOptions): CompiledSagaStoreOptions {
  const compiled: CompiledSagaStoreOptions = {
    redis: options.redis,
    keyPrefix: options.keyPrefix ?? 'saga',
    shards: options.shards ?? 16,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    historyLimit: options.historyLimit ?? 500,
    listScanLimit: options.listScanLimit ?? 2000,
    replicaAcks: options.replicaAcks,
  };
  // Braces would move the hash tag; control characters would break the scripts' line lists.
  if (compiled.keyPrefix.length === 0 || hasBraceOrControl(compiled.keyPrefix)) {
    throw new StoreConfigError(
      `keyPrefix must be non-empty, without '{', '}' or control characters (got '${compiled.keyPrefix}')`,
    );
  }
  positiveInteger('shards', compiled.shards, 16384);
  positiveInteger('retentionMs', compiled.retentionMs);
  positiveInteger('historyLimit', compiled.historyLimit);
  positiveInteger('listScanLimit', compiled.listScanLimit);
  if (compiled.replicaAcks) {
    positiveInteger('replicaAcks.replicas', compiled.replicaAcks.replicas);
    positiveInteger('replicaAcks.timeoutMs', compiled.replicaAcks.timeoutMs);
  }
  if (clientKeyPrefix(options.redis)) {
    throw new StoreConfigError(
      "the Redis client has ioredis's keyPrefix option set; use the store's keyPrefix instead",
    );
  }
  return compiled;
}

function hasBraceOrControl(text: string): boolean {
  return [...text].some((char) => char === '{' || char === '}' || char.charCodeAt(0) < 0x20);
}

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new StoreConfigError(`${name} must be an integer from 1 to ${max} (got ${value})`);
  }
}

function clientKeyPrefix(redis: RedisClient): string | undefined {
  const options = redis.options as { keyPrefix?: string; redisOptions?: { keyPrefix?: string } };
  return options.keyPrefix || options.redisOptions?.keyPrefix || undefined;
}
