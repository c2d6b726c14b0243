/** The Redis saga store: state, history, outbox, durable timers, indexes, counters, retention. */
export { createSagaStore } from './saga-store.js';
export type { SagaStore } from './types.js';
export { compileSagaStoreOptions, DEFAULT_RETENTION_MS } from './options.js';
export type { CompiledSagaStoreOptions, RedisClient, SagaStoreOptions } from './options.js';
export { createStoreKeys, indexMember, timerMember } from './keys.js';
export { allShards } from './pipelines.js';
export { createRedisClient } from './redis-client.js';
export { oldestInState, type OldestInState } from './oldest-in-state.js';
export type { StoreKeys } from './keys.js';
export { shardOf } from './shard.js';
export { traceIdOf } from './record-codec.js';
export { OVERDUE_SCAN_LIMIT } from './list-overdue.js';
export { ScriptStatus } from './script-status.js';
export {
  CorruptRecordError,
  InvalidQueryError,
  InvalidRecordError,
  SagaStoreError,
  ShardFencedError,
  StoreConfigError,
  UnexpectedScriptReplyError,
  isRetriableStoreFailure,
  isTransientRedisReply,
} from './errors.js';
export type * from './types.js';
