/**
 * Durable timers: per shard, a sorted set of `<sagaId>\0<timerId>` scored by due time. Pollers
 * claim due timers with a visibility timeout; the step that consumes a timer cancels it in the
 * same commit, and a claim that is never followed by that step makes the timer due again.
 */
import { UnexpectedScriptReplyError } from './errors.js';
import { timerMember } from './keys.js';
import type { StoreKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { allShards, pipelinePerShard } from './pipelines.js';
import { interpretOkReply } from './script-status.js';
import { runScript } from './scripts.js';
import { epochArg, throwIfFenced } from './shard-epochs.js';
import type { ClaimedTimer, ClaimResult } from './types.js';

export interface TimerContext {
  redis: RedisClient;
  keys: StoreKeys;
}

export async function claimDueTimers(
  { redis, keys }: TimerContext,
  shard: number,
  now: number,
  limit: number,
  leaseMs: number,
  epoch?: number,
): Promise<ClaimResult> {
  const reply = await runScript(
    redis,
    'claimTimers',
    [keys.timers(shard), keys.ownerEpoch(shard)],
    [now, limit, now + leaseMs, keys.sagaKeyPrefix(shard), epochArg(epoch)],
  );
  throwIfFenced(reply, shard, epoch);
  if (!Array.isArray(reply) || typeof reply[0] !== 'number' || !Array.isArray(reply[1])) {
    throw new UnexpectedScriptReplyError(`claim-timers answered ${JSON.stringify(reply)}`);
  }
  const flat = reply[1] as unknown[];
  const claimed: ClaimedTimer[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    claimed.push({
      sagaId: String(flat[i]),
      timerId: String(flat[i + 1]),
      dueAt: Number(flat[i + 2]),
      claimedUntil: now + leaseMs,
    });
  }
  return { claimed, dropped: reply[0] };
}

/** How long a shard remembers the end of the outage its timers were last pushed back for. */
const PAUSED_THROUGH_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Pushes back every timer of the shard due at or after `since` by the part of the outage
 * `[since, until]` not already accounted for (see pause-timers-2.lua): a deadline does not count
 * time the orchestrator could not work.
 */
export async function pauseTimers(
  { redis, keys }: TimerContext,
  shard: number,
  outage: { since: number; until: number },
): Promise<{ moved: number; byMs: number }> {
  const reply = await runScript(
    redis,
    'pauseTimers',
    [keys.timers(shard), keys.timersPausedThrough(shard)],
    [Math.floor(outage.since), Math.ceil(outage.until), PAUSED_THROUGH_TTL_MS],
  );
  if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
    throw new UnexpectedScriptReplyError(`pause-timers answered ${JSON.stringify(reply)}`);
  }
  return { moved: reply[0], byMs: reply[1] };
}

/**
 * Removes a claimed timer that no commit will consume (the engine ignored its event), so it does
 * not come back after every lease; a timer re-armed since the claim is left alone.
 */
export async function discardClaimedTimer(
  { redis, keys }: TimerContext,
  claim: ClaimedTimer,
): Promise<boolean> {
  return interpretOkReply(
    'discard-timer',
    await runScript(
      redis,
      'discardTimer',
      [keys.timers(keys.shardOf(claim.sagaId))],
      [timerMember(claim.sagaId, claim.timerId), claim.claimedUntil],
    ),
  );
}

/** Timers in every shard's set, claimed ones included. */
export async function pendingTimers({ redis, keys }: TimerContext): Promise<number> {
  const counts = await Promise.all(
    allShards(keys.shards).map((shard) => redis.zcard(keys.timers(shard))),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** When the shard's earliest timer is due (or its claim ends); undefined when it has none. */
export async function nextDueAt(context: TimerContext, shard: number): Promise<number | undefined> {
  const [due] = await nextDueAtEach(context, [shard]);
  return due;
}

/**
 * {@link nextDueAt} of several shards in one pipeline (one per shard on a cluster): a poller
 * reading every owned shard pays one round trip.
 */
export async function nextDueAtEach(
  { redis, keys }: TimerContext,
  shards: readonly number[],
): Promise<(number | undefined)[]> {
  const replies = await pipelinePerShard(
    redis,
    shards,
    (shard) => shard,
    (pipeline, shard) => pipeline.zrange(keys.timers(shard), '0', '0', 'WITHSCORES'),
  );
  // WITHSCORES answers a flat [member, score] over RESP2 and [[member, score]] over RESP3:
  // flattened, both put the score second.
  return replies.map((reply) => {
    const score = Array.isArray(reply) ? (reply.flat() as unknown[])[1] : undefined;
    return score === undefined || score === null ? undefined : Number(score);
  });
}
