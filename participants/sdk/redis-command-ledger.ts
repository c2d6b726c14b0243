/**
 * The command ledger in Redis: one hash per command at `<keyPrefix>:cmd:<commandId>` with a TTL,
 * changed only by the Lua scripts in `scripts/` (so a claim and a completion are atomic).
 */
import type { RedisClient } from './redis-script.js';
import {
  decodeResult,
  encodeResult,
  type ClaimOutcome,
  type CommandLedger,
  type CompleteOutcome,
  type RecordedResult,
} from './command-ledger.js';
import { loadRedisScript, stringArray } from './redis-script.js';

const script = (name: string) => new URL(`./scripts/${name}`, import.meta.url);
const claimScript = loadRedisScript('sagaLedgerClaim', script('claim-command-1.lua'));
const completeScript = loadRedisScript('sagaLedgerComplete', script('complete-command-1.lua'));
const extendScript = loadRedisScript('sagaLedgerExtend', script('extend-claim-1.lua'));
const releaseScript = loadRedisScript('sagaLedgerRelease', script('release-claim-1.lua'));

export interface RedisCommandLedgerOptions {
  redis: RedisClient;
  /**
   * Prefix of every record's key. Put a hash tag in it (`shop:{inventory}`) when the handlers
   * write the record in their own scripts on Redis Cluster: a script's keys share one slot.
   */
  keyPrefix: string;
  /**
   * Replicas that must acknowledge a recorded result before it is replied (Redis `WAIT` on the
   * node of the record, after the handler's writes and the record): a failover then cannot lose
   * a result the orchestrator acted on. Absent: no wait (one Redis without replicas).
   */
  replicaAcks?: { replicas: number; timeoutMs: number };
}

/** Creates a {@link CommandLedger} kept in Redis. */
export function redisCommandLedger({
  redis,
  keyPrefix,
  replicaAcks,
}: RedisCommandLedgerOptions): CommandLedger {
  const keyOf = (commandId: string) => `${keyPrefix}:cmd:${commandId}`;
  /**
   * WAIT has no key: queued in a pipeline behind a read of the record's key, it runs on the node
   * that holds the record (on a cluster too), whose one connection made the writes before it.
   * Fewer acknowledgements than asked within the timeout leave the result as it is.
   */
  const replicated = async (key: string) => {
    if (!replicaAcks) return;
    const results = await redis
      .pipeline()
      .exists(key)
      .call('WAIT', replicaAcks.replicas, replicaAcks.timeoutMs)
      .exec();
    const error = results?.find(([e]) => e)?.[0];
    if (error) throw error;
  };
  return {
    redisKey: keyOf,

    async claim(commandId, owner, leaseMs): Promise<ClaimOutcome> {
      const reply = await claimScript(redis, [keyOf(commandId)], [owner, Math.ceil(leaseMs)]);
      const [kind, detail = ''] = stringArray(reply, 'ledger claim');
      if (kind === 'claimed') return { kind };
      if (kind === 'done') {
        // A duplicate delivery is answered from this record: it must be on a replica too (its
        // own WAIT after `complete` may have timed out), or a failover could lose what was
        // replied and let the effect happen again.
        await replicated(keyOf(commandId));
        return { kind, result: decodeResult(detail) };
      }
      if (kind === 'busy') return { kind, leaseLeftMs: Math.max(0, Number(detail)) };
      throw new Error(`ledger claim: unknown answer ${kind}`);
    },

    async extend(commandId, owner, leaseMs) {
      const reply = await extendScript(redis, [keyOf(commandId)], [owner, Math.ceil(leaseMs)]);
      return reply === 1;
    },

    async complete(commandId, owner, result: RecordedResult, ttlMs): Promise<CompleteOutcome> {
      const reply = await completeScript(
        redis,
        [keyOf(commandId)],
        [owner, encodeResult(result), Math.ceil(ttlMs)],
      );
      const [kind, detail = ''] = stringArray(reply, 'ledger complete');
      await replicated(keyOf(commandId));
      if (kind === 'recorded') return { result, existing: false, claimLost: detail === '1' };
      if (kind === 'existing')
        return { result: decodeResult(detail), existing: true, claimLost: false };
      throw new Error(`ledger complete: unknown answer ${kind}`);
    },

    async release(commandId, owner) {
      await releaseScript(redis, [keyOf(commandId)], [owner]);
    },
  };
}
