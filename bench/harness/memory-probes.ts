/**
 * Redis memory per saga, two ways: INFO `used_memory` before and after (what the Redis process
 * grew by, allocator overhead included, but moved by anyone else on the shared Redis too), and
 * the sum of MEMORY USAGE over the session's own keys (exact, and only ours).
 */
import type { RedisMemory } from './results.js';
import { Session } from './session.js';
import type { BenchContext } from './session-types.js';
import { DEFAULT_PARTITIONS, keyBytes, usedMemory, type KeyBytes } from './session-infra.js';

function perSaga(byKind: KeyBytes['byKind'], sagas: number) {
  const each = (bytes: number) => Math.round(bytes / Math.max(1, sagas));
  return { record: each(byKind.record), history: each(byKind.history), shard: each(byKind.shard) };
}

/** Per completed saga, on what a session left behind (the janitor may have purged some). */
export async function measureCompletedMemory(
  ctx: BenchContext,
  session: Session,
): Promise<RedisMemory['completed']> {
  ctx.progress.phase(`${session.options.label}: measuring Redis memory per completed saga`);
  const store = await keyBytes(ctx.redis, `${session.prefix}:*`);
  const ledger = await keyBytes(ctx.redis, `${session.prefix}-ledger:*`);
  if (store.sagaRecords === 0) return undefined;
  return {
    sagas: store.sagaRecords,
    keyBytesPerSaga: Math.round(store.bytes / store.sagaRecords),
    breakdown: perSaga(store.byKind, store.sagaRecords),
    // Each saga sends three commands, each with its own ledger record.
    ledgerBytesPerSaga: Math.round((ledger.bytes / Math.max(1, ledger.keys)) * 3),
  };
}

/**
 * Starts `sagas` sagas with no participants running, so each waits for its first reply with its
 * command published and its step timer armed — an in-flight saga — and measures them before the
 * step timeout (10 s) would move them on.
 */
export async function measureInFlightMemory(
  ctx: BenchContext,
  sagas: number,
): Promise<RedisMemory['inFlight']> {
  const session = await Session.open(ctx, {
    label: 'in-flight memory',
    kind: {
      kind: 'orchestrator',
      ledger: 'redis',
      participants: false,
    },
    replyPartitions: DEFAULT_PARTITIONS,
  });
  try {
    ctx.progress.phase(`in-flight memory: starting ${sagas} sagas`);
    const before = await usedMemory(ctx.redis);
    await session.sideA.call('load', { kind: 'count', total: sagas, concurrency: 200 });
    await session.sideA.call('startsSettled', { timeoutMs: 60_000 });
    // The outbox empties once the relay published the commands: what stays is the saga.
    for (let i = 0; i < 100; i++) {
      if ((await session.sideA.call<number>('outboxBacklog')) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const after = await usedMemory(ctx.redis);
    const ours = await keyBytes(ctx.redis, `${session.prefix}:*`);
    return {
      sagas: ours.sagaRecords,
      usedMemoryDeltaBytesPerSaga: Math.round((after - before) / Math.max(1, ours.sagaRecords)),
      keyBytesPerSaga: Math.round(ours.bytes / Math.max(1, ours.sagaRecords)),
      breakdown: perSaga(ours.byKind, ours.sagaRecords),
    };
  } finally {
    await session.close();
  }
}
