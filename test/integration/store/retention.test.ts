import { expect } from 'chai';
import { createSagaStore, indexMember, type SagaStore } from '../../../orchestrator/store/index.js';
import type { SagaRecord, SagaStatus } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { ENDED, historyLine, nextRecord, startedRecord, timer } from './records.js';

const T0 = 1_700_000_000_000;
const RETENTION = 60_000;

describe('saga store: retention (real Redis)', function () {
  const infra = useInfra('store-retention');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({
      redis: infra.redis,
      keyPrefix: infra.prefix,
      shards: 3,
      retentionMs: RETENTION,
    });
  });

  /** Starts a saga and moves it to `status` at T0 + 1 s; returns the stored record. */
  async function sagaEndingIn(status: SagaStatus, type = 'order'): Promise<SagaRecord> {
    const record = startedRecord({ type, createdAt: T0, timers: [timer('t', T0 + 5_000)] });
    await store.create(record, { timersToSet: record.timers, history: [historyLine('started')] });
    // Ending leaves a timer armed on purpose: the purge must take it away too.
    const ended = nextRecord(record, { status, state: status }, T0 + 1_000);
    await store.commit(1, ended, { history: [historyLine(status)] });
    return ended;
  }

  /** Every Redis key and member that still mentions the saga under this file's prefix. */
  async function traces(record: SagaRecord): Promise<string[]> {
    const found: string[] = [];
    const shard = store.shardOf(record.id);
    for (const key of [store.keys.saga(record.id), store.keys.history(record.id)]) {
      if ((await infra.redis.exists(key)) === 1) found.push(key);
    }
    const member = indexMember(record);
    const indexKeys = await scanKeys(`${store.keys.shardBase(shard)}idx:*`);
    for (const key of indexKeys) {
      if ((await infra.redis.zscore(key, member)) !== null) found.push(key);
    }
    if ((await infra.redis.zscore(store.keys.expiry(shard), record.id)) !== null) {
      found.push('expiry');
    }
    if ((await infra.redis.zscore(store.keys.timers(shard), `${record.id}\u0000t`)) !== null) {
      found.push('timer');
    }
    return found;
  }

  async function scanKeys(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await infra.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  }

  it('purges ended sagas after the retention with every trace of them, and never parked or running ones', async () => {
    const ended = await Promise.all(ENDED.map((status) => sagaEndingIn(status)));
    const parked = await sagaEndingIn('parked');
    const running = await sagaEndingIn('running');
    for (const record of [...ended, parked, running]) {
      expect(await traces(record), record.status).to.include(store.keys.saga(record.id));
    }
    expect(await store.scheduledForPurge()).to.equal(4);

    // Not yet: the retention counts from the last step (T0 + 1 s).
    expect(await store.purgeExpired(T0 + 1_000 + RETENTION - 1)).to.deep.equal([]);

    const purged = await store.purgeExpired(T0 + 1_000 + RETENTION);
    expect(new Set(purged)).to.deep.equal(new Set(ended.map((record) => record.id)));
    for (const record of ended) {
      expect(await traces(record), record.status).to.deep.equal([]);
      expect(await store.load(record.id)).to.equal(undefined);
    }
    // Much later still, the parked and the running saga stay, indexes and all.
    expect(await store.purgeExpired(T0 + 365 * 24 * 3_600_000)).to.deep.equal([]);
    for (const record of [parked, running]) {
      expect(await store.load(record.id)).to.deep.equal(record);
      expect((await traces(record)).filter((trace) => trace.includes(':idx:'))).to.have.length(3);
    }
    expect(await store.scheduledForPurge()).to.equal(0);

    // Nothing in the lists or counters points at a purged saga.
    const listed = (await store.listSagas({ limit: 500 })).items.map((item) => item.id);
    expect(listed.sort()).to.deep.equal([parked.id, running.id].sort());
    const counts = await store.countsByTypeAndState();
    expect(counts.reduce((sum, count) => sum + count.count, 0)).to.equal(2);
    expect(await store.pendingTimers()).to.equal(2);
  });

  it('takes a saga off the purge schedule when it moves on from an ended status', async () => {
    const failed = await sagaEndingIn('failed', 'refund');
    // An operator retries it: it runs again, so it must not be purged.
    const retried = nextRecord(failed, { status: 'running', state: 'compensating' }, T0 + 2_000);
    expect((await store.commit(failed.revision, retried)).status).to.equal('committed');
    expect(await store.purgeExpired(T0 + 10 * RETENTION)).to.deep.equal([]);
    expect(await store.load(failed.id)).to.deep.equal(retried);
  });

  it('reads an ended saga that kept its purge time in the record (written before): its timers drop, a retry unschedules it', async () => {
    const failed = await sagaEndingIn('failed', 'refund');
    const key = store.keys.saga(failed.id);
    expect(await infra.redis.hexists(key, '_expireAt')).to.equal(0);
    // The previous release kept the purge time in '_expireAt' too, and told ended sagas by it.
    await infra.redis.hset(key, '_expireAt', String(T0 + 1_000 + RETENTION));
    const shard = store.shardOf(failed.id);
    const { claimed, dropped } = await store.claimDueTimers(shard, T0 + 6_000, 100, 1_000);
    expect(claimed.filter((claim) => claim.sagaId === failed.id)).to.deep.equal([]);
    expect(dropped).to.be.at.least(1);
    expect(await infra.redis.zscore(store.keys.timers(shard), `${failed.id}\u0000t`)).to.equal(
      null,
    );

    const retried = nextRecord(failed, { status: 'running', state: 'compensating' }, T0 + 2_000);
    expect((await store.commit(failed.revision, retried)).status).to.equal('committed');
    expect(await infra.redis.hexists(key, '_expireAt')).to.equal(0);
    expect(await infra.redis.zscore(store.keys.expiry(shard), failed.id)).to.equal(null);
  });

  it('purges at most the limit per shard per call', async () => {
    const store1 = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:one`,
      shards: 1,
      retentionMs: RETENTION,
    });
    const records = Array.from({ length: 5 }, () => startedRecord({ createdAt: T0 }));
    for (const record of records) {
      await store1.create(record);
      await store1.commit(1, nextRecord(record, { status: 'completed' }, T0 + 1_000));
    }
    expect(await store1.purgeExpired(T0 + 2 * RETENTION, 2)).to.have.length(2);
    expect(await store1.purgeExpired(T0 + 2 * RETENTION, 2)).to.have.length(2);
    expect(await store1.purgeExpired(T0 + 2 * RETENTION, 2)).to.have.length(1);
    expect(await store1.countsByTypeAndState()).to.deep.equal([]);
  });
});
