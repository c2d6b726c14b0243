/**
 * A lost Redis second, made honest for the store's layout: Redis with `appendfsync everysec` may
 * come back from a crash without its last writes, so a saga's record, its history and its timers
 * are back at an earlier revision while the command that revision sent has already gone out (and
 * was answered). Every key of one saga shares the shard's hash tag, so one script puts the saga's
 * hash, its history list and its members of the shard's timer set back as they were, atomically.
 *
 * Left as they are: the shard's outbox (the reverted command was published already), indexes and
 * counters (listings only). What must follow is what the design promises: the saga's deadline
 * passes, the step is sent again, and the participant does not act twice.
 */
import type { RedisClient, SagaStore, StoreKeys } from '../../orchestrator/store/index.js';
import { pause } from './load.js';

/** Puts a saga's keys back; KEYS: saga hash, history list, shard timers. */
const RESTORE_SAGA = `
local prefix = ARGV[3]
local members = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, member in ipairs(members) do
  if string.sub(member, 1, #prefix) == prefix then redis.call('ZREM', KEYS[3], member) end
end
redis.call('RESTORE', KEYS[1], 0, ARGV[1], 'REPLACE')
if ARGV[2] == '' then redis.call('DEL', KEYS[2])
else redis.call('RESTORE', KEYS[2], 0, ARGV[2], 'REPLACE') end
for i = 4, #ARGV, 2 do redis.call('ZADD', KEYS[3], ARGV[i + 1], ARGV[i]) end
return 1`;

interface Snapshot {
  sagaId: string;
  revision: number;
  record: Buffer;
  history: Buffer | null;
  /** Member, score, member, score… of the saga's timers. */
  timers: string[];
}

export interface RevertOutcome {
  /** Sagas put back to an earlier revision after they had moved on. */
  reverted: string[];
  /** Sagas snapshotted that had not moved on within the bound (left as they are). */
  notMoved: string[];
}

/**
 * Snapshots `sagaIds` (running sagas with a command out), calls `snapshotted` (a caller holding
 * their replies back lets them go there), waits until each has moved past that revision (its
 * command went out and was answered), and puts it back as the snapshot had it.
 */
export async function revertAfterCommand(
  redis: RedisClient,
  keys: StoreKeys,
  store: SagaStore,
  sagaIds: readonly string[],
  timeoutMs: number,
  snapshotted: () => void = () => {},
): Promise<RevertOutcome> {
  const snapshots = new Map<string, Snapshot>();
  for (const sagaId of sagaIds) {
    const shard = keys.shardOf(sagaId);
    const separator = `${sagaId}\u0000`;
    const result = await redis
      .multi()
      .hget(keys.saga(sagaId), 'version')
      .dumpBuffer(keys.saga(sagaId))
      .dumpBuffer(keys.history(sagaId))
      .zrange(keys.timers(shard), '0', '-1', 'WITHSCORES')
      .exec();
    const [revision, record, history, timers] = (result ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [string | null, Buffer | null, Buffer | null, string[]];
    if (record === null || revision === null) continue;
    const own: string[] = [];
    for (let i = 0; i < timers.length; i += 2) {
      if (timers[i]?.startsWith(separator)) own.push(timers[i] as string, timers[i + 1] as string);
    }
    snapshots.set(sagaId, { sagaId, revision: Number(revision), record, history, timers: own });
  }
  snapshotted();
  const outcome: RevertOutcome = { reverted: [], notMoved: [] };
  const until = Date.now() + timeoutMs;
  while (snapshots.size > 0 && Date.now() < until) {
    const ids = [...snapshots.keys()];
    const records = await store.loadMany(ids);
    for (const [i, sagaId] of ids.entries()) {
      const snapshot = snapshots.get(sagaId) as Snapshot;
      const now = records[i];
      if (!now || now.revision <= snapshot.revision) continue;
      await redis.eval(
        RESTORE_SAGA,
        3,
        keys.saga(sagaId),
        keys.history(sagaId),
        keys.timers(keys.shardOf(sagaId)),
        snapshot.record,
        snapshot.history ?? '',
        `${sagaId}\u0000`,
        ...snapshot.timers,
      );
      outcome.reverted.push(sagaId);
      snapshots.delete(sagaId);
    }
    await pause(20);
  }
  outcome.notMoved.push(...snapshots.keys());
  return outcome;
}
