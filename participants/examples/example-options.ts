/**
 * What every example participant takes: the SDK's options, plus the Redis connection and the key
 * prefix under which the example keeps its state and its command ledger.
 */
import type { RedisClient } from '../sdk/index.js';
import type { HandlerContext, ParticipantOptions } from '../sdk/index.js';

/** @default 'saga-example' */
export const DEFAULT_EXAMPLE_KEY_PREFIX = 'saga-example';

export interface ExampleParticipantOptions extends Omit<
  ParticipantOptions,
  'redis' | 'ledger' | 'ledgerKeyPrefix'
> {
  redis: RedisClient;
  /** Prefix of the example's Redis keys. @default 'saga-example' */
  keyPrefix?: string;
}

/** Where one example's state lives. */
export interface ExampleStateOptions {
  /** @default 'saga-example' */
  keyPrefix?: string;
}

/**
 * The base of one example service's keys: `<keyPrefix>:{<service>}`. The hash tag keeps the
 * service's state and its command ledger in one Redis Cluster slot, so one Lua script can change
 * both (the state change and the record of the command, exactly once).
 */
export function exampleKeyBase(service: string, keyPrefix = DEFAULT_EXAMPLE_KEY_PREFIX): string {
  return `${keyPrefix}:{${service}}`;
}

/** The ledger record's key: the examples always keep their ledger in Redis, next to their state. */
export function ledgerKey(ctx: HandlerContext): string {
  const key = ctx.ledger.redisKey;
  if (!key) throw new Error('the example participants need the Redis command ledger');
  return key;
}
