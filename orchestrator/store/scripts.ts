/**
 * Loads the Lua scripts in `scripts/` onto a client with ioredis's `defineCommand` (EVALSHA,
 * falling back to EVAL when Redis does not know the script yet) and calls them, directly or
 * queued in a pipeline. A script file is named `<name>-<numKeys>.lua`.
 */
import { readFileSync } from 'node:fs';
import type { ChainableCommander } from 'ioredis';
import { UnexpectedScriptReplyError } from './errors.js';
import type { RedisClient } from './options.js';

const SCRIPT_FILES = {
  applyStep: 'apply-step-6.lua',
  claimTimers: 'claim-timers-2.lua',
  pauseTimers: 'pause-timers-2.lua',
  discardTimer: 'discard-timer-1.lua',
  purgeExpired: 'purge-expired-3.lua',
  readOutbox: 'read-outbox-3.lua',
  ackOutbox: 'ack-outbox-3.lua',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;
export type ScriptArg = string | number | Buffer;

type ScriptMethod = (...args: ScriptArg[]) => unknown;

/** Namespaced so that other libraries defining commands on the same client never collide. */
const commandName = (name: ScriptName) => `sagaStore_${name}`;

let sources: Map<ScriptName, { lua: string; numberOfKeys: number }> | undefined;

function loadSources(): Map<ScriptName, { lua: string; numberOfKeys: number }> {
  if (sources) return sources;
  const loaded = new Map<ScriptName, { lua: string; numberOfKeys: number }>();
  for (const [name, file] of Object.entries(SCRIPT_FILES) as [ScriptName, string][]) {
    const numberOfKeys = Number(/-(\d+)\.lua$/u.exec(file)?.[1]);
    const lua = readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
    loaded.set(name, { lua, numberOfKeys });
  }
  sources = loaded;
  return loaded;
}

const defined = new WeakSet<RedisClient>();

/** Defines every script on the client (once per client). */
export function defineScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const [name, { lua, numberOfKeys }] of loadSources()) {
    redis.defineCommand(commandName(name), { lua, numberOfKeys });
  }
  defined.add(redis);
}

function method(target: RedisClient | ChainableCommander, name: ScriptName): ScriptMethod {
  const fn = (target as unknown as Record<string, unknown>)[commandName(name)];
  if (typeof fn !== 'function') {
    throw new UnexpectedScriptReplyError(`script ${name} is not defined on this client`);
  }
  return (fn as ScriptMethod).bind(target);
}

/** Runs a script now. */
export function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArg[],
): Promise<unknown> {
  return method(redis, name)(...keys, ...args) as Promise<unknown>;
}

/** Queues a script in a pipeline; its reply comes with the pipeline's `exec`. */
export function queueScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArg[],
): void {
  method(pipeline, name)(...keys, ...args);
}

/** The replies of a pipeline, throwing the first command error. */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
