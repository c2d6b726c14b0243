/**
 * Lua scripts as files (`scripts/<name>-<numKeys>.lua`, a header naming KEYS, ARGV and returns),
 * loaded with ioredis `defineCommand` (EVALSHA with a fallback to EVAL).
 */
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** One Redis or a Redis Cluster client: the SDK and the examples work with either. */
export type RedisClient = Redis | Cluster;

export type RedisScript = (
  redis: RedisClient,
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/**
 * Loads `file` (whose name ends in `-<numKeys>.lua`) and returns a caller that defines the
 * command on each connection the first time it is used there.
 */
export function loadRedisScript(commandName: string, file: URL): RedisScript {
  const lua = readFileSync(file, 'utf8');
  const match = /-(\d+)\.lua$/.exec(file.pathname);
  if (!match?.[1]) throw new Error(`${file.pathname}: script names end in -<numKeys>.lua`);
  const numberOfKeys = Number(match[1]);
  return async (redis, keys, args) => {
    if (keys.length !== numberOfKeys) {
      throw new Error(`${commandName} takes ${numberOfKeys} keys, got ${keys.length}`);
    }
    const commands = redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    if (typeof commands[commandName] !== 'function') {
      redis.defineCommand(commandName, { numberOfKeys, lua });
    }
    const command = commands[commandName];
    if (!command) throw new Error(`could not define the Redis command ${commandName}`);
    return command.call(redis, ...keys, ...args);
  };
}

/** A script reply that should be an array of strings (Lua tables of strings). */
export function stringArray(reply: unknown, what: string): string[] {
  if (!Array.isArray(reply) || !reply.every((v) => typeof v === 'string')) {
    throw new Error(`${what}: unexpected script reply ${JSON.stringify(reply)}`);
  }
  return reply;
}
