/**
 * Redis bytes per order saga, by key kind, on real Kafka and Redis: what docs/benchmarks.md's
 * "Redis bytes per saga" table shows, and a bound on it (a few seconds, so `npm test` runs it).
 * Its printed line compares two trees:
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:16379 \
 *     npx mocha test/integration/store/redis-bytes-per-saga.test.ts
 *
 * It starts `PROBE_SAGAS` (default 600) sagas with no participant running (each waits for its
 * first reply: in flight), measures, starts the participants, waits until every saga completed
 * and its outbox is empty, and measures again. Bytes are `MEMORY USAGE … SAMPLES 0` summed by key
 * kind over the test's keys and divided by the sagas, as bench/harness/session-infra.ts does; 600
 * sagas over the test system's 4 shards put 150 in each shard's index sets, past Redis's 128-member
 * listpack limit, so index entries cost what they cost at scale.
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { JsonObject } from '../../../wire/contract/index.js';
import { eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

const SAGAS = Number(process.env.PROBE_SAGAS ?? 600);

/** `record`, `history`, or the shard key's kind (`idx`, `timers`, `expiry`, `outbox`, …). */
function kindOf(key: string): string {
  if (key.includes('}:saga:')) return 'record';
  if (key.includes('}:history:')) return 'history';
  return key.replace(/^.*\}:/u, '').replace(/:.*$/u, '');
}

/** Bytes per saga of every key kind under `prefix`, and in all. */
async function bytesPerSaga(redis: Redis, prefix: string, sagas: number) {
  const byKind: Record<string, number> = {};
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${prefix}:{*`, 'COUNT', 2000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of page) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([, bytes], index) => {
      const kind = kindOf(page[index] ?? '');
      byKind[kind] = (byKind[kind] ?? 0) + Number(bytes);
    });
  } while (cursor !== '0');
  const total = Object.values(byKind).reduce((sum, bytes) => sum + bytes, 0);
  const per = (bytes: number) => Math.round(bytes / sagas);
  return {
    total: per(total),
    byKind: Object.fromEntries(Object.entries(byKind).map(([kind, bytes]) => [kind, per(bytes)])),
  };
}

describe('Redis bytes per order saga, by key kind (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('bytes-per-saga', { participants: false });

  it('measures sagas in flight, then the same sagas completed', async () => {
    const { orchestrator } = sut.system;
    // The test's own standalone connection: SCAN and MEMORY USAGE read one server.
    const redis = sut.infra.redis;
    const ids: string[] = [];
    for (let started = 0; started < SAGAS; started += 100) {
      const outcomes = await Promise.all(
        Array.from({ length: Math.min(100, SAGAS - started) }, () =>
          orchestrator.startSaga({ type: 'order', input: orderInput() as unknown as JsonObject }),
        ),
      );
      for (const outcome of outcomes) {
        if (outcome.status !== 'started') throw new Error(`not started: ${outcome.status}`);
        ids.push(outcome.record.id);
      }
    }
    const outboxEmpty = async () =>
      (await orchestrator.store.outboxBacklog()) === 0 ? true : undefined;
    await eventually('the commands to be published', outboxEmpty, 120_000);
    const inFlight = await bytesPerSaga(redis, sut.infra.prefix, SAGAS);

    await sut.system.startParticipants();
    await eventually(
      'every saga to complete',
      async () => {
        const records = await orchestrator.store.loadMany(ids);
        return records.every((record) => record?.status === 'completed') ? true : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1_000 },
    );
    await eventually('the last commands to be published', outboxEmpty, 120_000);
    const completed = await bytesPerSaga(redis, sut.infra.prefix, SAGAS);
    let entries = 0;
    for (const id of ids) entries += (await orchestrator.store.history(id, { limit: 1 })).total;

    console.log(
      JSON.stringify({ sagas: SAGAS, historyEntriesPerSaga: entries / SAGAS, inFlight, completed }),
    );
    expect(entries / SAGAS).to.equal(10);
    // What issue 13's store changes brought (3,211 / 2,284 B on Redis 7.0, the history of an
    // ended saga sealed, two index entries), plus issue 14's payloads in the history (the command's
    // payload, the success reply's result: 3,307 / 2,474 B measured side by side, +97 / +192 B),
    // with room for the allocator's size classes: more is a regression.
    expect(inFlight.total).to.be.below(3_450);
    expect(completed.total).to.be.below(2_600);
    expect(completed.byKind.history ?? 0).to.equal(0);
  });
});
