/**
 * Every demo run gets its own topic and key prefix, `demo-<yyyymmdd>-<hhmmss>-<random>`, so runs
 * never see each other's sagas, stock or credit. A run that is alive says so in Redis (a sorted
 * set of prefixes scored by when their claim expires, renewed while the run lives); at start, a
 * new run deletes the topics, consumer groups and keys of every earlier run that is no longer
 * alive. `--no-clean-old-runs` keeps them.
 */
import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import type { RedisClient } from '../../orchestrator/store/index.js';

/** The sorted set of live runs: member = prefix, score = when its claim lapses (ms). */
export const LIVE_RUNS_KEY = 'saga-demo:live-runs';
const CLAIM_MS = 30_000;
const RENEW_EVERY_MS = 10_000;

/** A demo prefix, and nothing else: `demo-20261126-101500-a1b2`. */
export const DEMO_PREFIX = /^demo-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A fresh prefix for a run that starts at `now`. */
export function newRunPrefix(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `demo-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The demo prefix a topic, group or key belongs to (`<prefix>.…` or `<prefix>:…`), if any. */
export function demoPrefixOf(name: string): string | undefined {
  const match = /^(demo-\d{8}-\d{6}-[0-9a-f]{4})[.:]/.exec(name);
  return match?.[1];
}

/** Claims `prefix` as alive until `stop()`; the claim lapses by itself if the process dies. */
export async function claimRun(
  redis: RedisClient,
  prefix: string,
): Promise<{ stop(): Promise<void> }> {
  const renew = () => redis.zadd(LIVE_RUNS_KEY, Date.now() + CLAIM_MS, prefix);
  await renew();
  const timer = setInterval(() => void renew().catch(() => undefined), RENEW_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.zrem(LIVE_RUNS_KEY, prefix).catch(() => undefined);
    },
  };
}

export interface CleanupReport {
  runs: string[];
  topics: number;
  groups: number;
  keys: number;
}

/** Deletes what earlier runs left, except runs still alive and `keep` (this run). */
export async function cleanOldRuns(
  redis: RedisClient,
  admin: Admin,
  keep: string,
): Promise<CleanupReport> {
  await redis.zremrangebyscore(LIVE_RUNS_KEY, '-inf', String(Date.now()));
  const alive = new Set(await redis.zrange(LIVE_RUNS_KEY, '0', '-1'));
  alive.add(keep);
  const old = (name: string) => {
    const prefix = demoPrefixOf(name);
    return prefix !== undefined && !alive.has(prefix) ? prefix : undefined;
  };
  const runs = new Set<string>();

  const topics = (await admin.listTopics()).filter((topic) => old(topic));
  const groups = (await admin.listGroups()).groups
    .map((g) => g.groupId)
    .filter((group) => old(group));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => []);
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  for (const name of [...topics, ...groups]) runs.add(old(name) ?? '');

  let keys = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', 'demo-*', 'COUNT', 1000);
    cursor = next;
    const doomed = found.filter((key) => old(key));
    for (const key of doomed) runs.add(old(key) ?? '');
    if (doomed.length > 0) keys += await redis.unlink(...doomed);
  } while (cursor !== '0');
  runs.delete('');
  return { runs: [...runs].sort(), topics: topics.length, groups: groups.length, keys };
}
