import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { useInfra } from '../../support/infra.js';
import { command, historyLine, nextRecord, startedRecord, timer } from './records.js';

describe('saga store: create, load, commit (real Redis)', function () {
  const infra = useInfra('store-create-commit');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
  });

  it('creates a saga once under concurrent duplicate starts and returns the same record', async () => {
    const record = startedRecord({ idempotencyKey: 'order-42' });
    // Several connections, as several orchestrator instances would have.
    const stores = Array.from({ length: 4 }, () =>
      createSagaStore({ redis: infra.redisConnection(), keyPrefix: infra.prefix, shards: 4 }),
    );
    const starts = Array.from({ length: 20 }, (_, n) =>
      (stores[n % 4] ?? store).create(
        { ...record, snapshot: { attempt: n } },
        { outbox: [command(record.id, n)], history: [historyLine(`start ${n}`)] },
      ),
    );
    const results = await Promise.all(starts);

    const winners = results.filter((result) => result.created);
    expect(winners).to.have.length(1);
    const winner = winners[0]?.record;
    for (const result of results) expect(result.record).to.deep.equal(winner);
    expect(await store.load(record.id)).to.deep.equal(winner);
    expect(winner?.idempotencyKey).to.equal('order-42');
    // Only the winner's write happened.
    const outbox = await store.readOutbox(store.shardOf(record.id), 100);
    expect(outbox.filter((entry) => entry.message.key === record.id)).to.have.length(1);
    expect((await store.history(record.id)).entries).to.have.length(1);
  });

  it('loads what it stored, and many sagas at once in the order asked', async () => {
    const records = Array.from({ length: 12 }, (_, n) =>
      startedRecord({
        timers: [timer(`t${n}`, 1_700_000_060_000)],
        createdAt: 1_700_000_000_000 + n,
      }),
    );
    await Promise.all(records.map((record) => store.create(record)));
    const ids = [...records.map((record) => record.id), 'never-created'];
    const loaded = await store.loadMany(ids);
    expect(loaded.slice(0, 12)).to.deep.equal(records);
    expect(loaded[12]).to.equal(undefined);
    expect(await store.load('never-created')).to.equal(undefined);
  });

  it('lets exactly one of two concurrent commits from the same revision win', async () => {
    const record = startedRecord();
    await store.create(record);
    const left = nextRecord(record, { state: 'paying' });
    const right = nextRecord(record, { state: 'compensating' });
    const other = createSagaStore({
      redis: infra.redisConnection(),
      keyPrefix: infra.prefix,
      shards: 4,
    });
    const results = await Promise.all([
      store.commit(1, left, { outbox: [command(record.id, 1)] }),
      other.commit(1, right, { outbox: [command(record.id, 2)] }),
    ]);

    const statuses = results.map((result) => result.status).sort();
    expect(statuses).to.deep.equal(['committed', 'conflict']);
    const loser = results.find((result) => result.status === 'conflict');
    expect(loser).to.include({ currentRevision: 2 });
    const stored = await store.load(record.id);
    const winnerState = results[0]?.status === 'committed' ? 'paying' : 'compensating';
    expect(stored?.state).to.equal(winnerState);
    const mine = (await store.readOutbox(store.shardOf(record.id), 1000)).filter(
      (entry) => entry.message.key === record.id,
    );
    expect(mine).to.have.length(1);
  });

  it('never lets a stale revision overwrite a newer one', async () => {
    const record = startedRecord();
    await store.create(record);
    const v2 = nextRecord(record, { state: 'paying' });
    const v3 = nextRecord(v2, { state: 'shipping' });
    expect((await store.commit(1, v2)).status).to.equal('committed');
    expect((await store.commit(2, v3)).status).to.equal('committed');

    const stale = nextRecord(record, { state: 'compensating' });
    const result = await store.commit(1, stale, { history: [historyLine('stale')] });
    expect(result).to.deep.equal({ status: 'conflict', sagaId: record.id, currentRevision: 3 });
    expect(await store.load(record.id)).to.deep.equal(v3);
    expect((await store.history(record.id)).entries).to.have.length(0);
  });

  it('answers missing for a saga that does not exist, and writes nothing', async () => {
    const ghost = nextRecord(startedRecord());
    const result = await store.commit(1, ghost, { outbox: [command(ghost.id, 1)] });
    expect(result).to.deep.equal({ status: 'missing', sagaId: ghost.id });
    expect(await store.load(ghost.id)).to.equal(undefined);
    expect(await infra.redis.exists(store.keys.history(ghost.id))).to.equal(0);
  });

  it('writes record, history, outbox, timers, indexes and counters together, or none of them', async () => {
    const record = startedRecord({ timers: [timer('attempt', 1_700_000_030_000)] });
    const shard = store.shardOf(record.id);
    await store.create(record, { timersToSet: record.timers, history: [historyLine('started')] });
    const outboxBefore = await infra.redis.xlen(store.keys.outbox(shard));
    const timersBefore = await infra.redis.zrange(
      store.keys.timers(shard),
      '0',
      '-1',
      'WITHSCORES',
    );
    const countsBefore = await infra.redis.hgetall(store.keys.counters(shard));
    const typeStateIndex = store.keys.indexByTypeState(shard, 'order', 'reserving');
    const write = {
      outbox: [command(record.id, 1), command(record.id, 2)],
      timersToCancel: ['attempt'],
      timersToSet: [timer('payment', 1_700_000_090_000)],
      history: [historyLine('reserved'), historyLine('paying')],
    };
    const paying = nextRecord(record, {
      state: 'paying',
      timers: [timer('payment', 1_700_000_090_000)],
    });

    // A failed compare-and-set (wrong expected revision) leaves everything as it was.
    const wrong = { ...paying, revision: 6 };
    expect((await store.commit(5, wrong, write)).status).to.equal('conflict');
    expect(await infra.redis.xlen(store.keys.outbox(shard))).to.equal(outboxBefore);
    expect(
      await infra.redis.zrange(store.keys.timers(shard), '0', '-1', 'WITHSCORES'),
    ).to.deep.equal(timersBefore);
    expect(await infra.redis.hgetall(store.keys.counters(shard))).to.deep.equal(countsBefore);
    expect((await store.history(record.id)).total).to.equal(1);
    expect(await infra.redis.zscore(typeStateIndex, `001700000000000:${record.id}`)).to.equal('0');
    expect(await store.load(record.id)).to.deep.equal(record);

    // The right one writes all of it.
    expect((await store.commit(1, paying, write)).status).to.equal('committed');
    expect(await store.load(record.id)).to.deep.equal(paying);
    expect(await infra.redis.xlen(store.keys.outbox(shard))).to.equal(outboxBefore + 2);
    const member = (id: string) => `${record.id}\u0000${id}`;
    expect(await infra.redis.zscore(store.keys.timers(shard), member('attempt'))).to.equal(null);
    expect(await infra.redis.zscore(store.keys.timers(shard), member('payment'))).to.equal(
      '1700000090000',
    );
    expect((await store.history(record.id)).entries.map((entry) => entry.summary)).to.deep.equal([
      'started',
      'reserved',
      'paying',
    ]);
    expect(await infra.redis.zscore(typeStateIndex, `001700000000000:${record.id}`)).to.equal(null);
    expect(
      await infra.redis.zscore(
        store.keys.indexByTypeState(shard, 'order', 'paying'),
        `001700000000000:${record.id}`,
      ),
    ).to.equal('0');
  });

  it('refuses, before writing anything, a step the script could only half apply', async () => {
    const record = startedRecord();
    await store.create(record);
    const broken = nextRecord(record, { state: 'paying' });
    let error: unknown;
    try {
      await store.commit(1, broken, {
        history: [historyLine('paying')],
        timersToSet: [timer('bad', Number.NaN)],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.have.property('name', 'InvalidRecordError');
    expect(await store.load(record.id)).to.deep.equal(record);
    expect((await store.history(record.id)).total).to.equal(0);
  });

  it('cancels and re-arms the same timer id in one commit', async () => {
    const record = startedRecord({ timers: [timer('retry', 1_700_000_010_000)] });
    const shard = store.shardOf(record.id);
    await store.create(record, { timersToSet: record.timers });
    const rearmed = nextRecord(record, { timers: [timer('retry', 1_700_000_050_000)] });
    await store.commit(1, rearmed, {
      timersToCancel: ['retry'],
      timersToSet: [timer('retry', 1_700_000_050_000)],
    });
    expect(await infra.redis.zscore(store.keys.timers(shard), `${record.id}\u0000retry`)).to.equal(
      '1700000050000',
    );
  });

  it('keeps at most historyLimit entries per saga and counts the dropped ones', async () => {
    const small = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:small`,
      shards: 2,
      historyLimit: 5,
    });
    let record = startedRecord();
    await small.create(record, { history: [historyLine('h0'), historyLine('h1')] });
    for (let step = 0; step < 3; step += 1) {
      const next = nextRecord(record);
      await small.commit(record.revision, next, {
        history: [historyLine(`s${step}a`), historyLine(`s${step}b`)],
      });
      record = next;
    }
    const page = await small.history(record.id);
    expect(page.total).to.equal(5);
    expect(page.dropped).to.equal(3);
    expect(page.entries.map((entry) => entry.summary)).to.deep.equal([
      's0b',
      's1a',
      's1b',
      's2a',
      's2b',
    ]);
    const middle = await small.history(record.id, { offset: 1, limit: 2 });
    expect(middle.entries.map((entry) => entry.summary)).to.deep.equal(['s1a', 's1b']);
  });

  it('commits a batch in one call, each item on its own (committed, conflict, missing)', async () => {
    const records = Array.from({ length: 30 }, () => startedRecord());
    await Promise.all(records.map((record) => store.create(record)));
    const items = records.map((record, n) => ({
      expectedRevision: n % 10 === 0 ? 7 : 1,
      record: n % 10 === 0 ? { ...nextRecord(record), revision: 8 } : nextRecord(record),
      write: { outbox: [command(record.id, n)] },
    }));
    const ghost = nextRecord(startedRecord());
    items.push({ expectedRevision: 1, record: ghost, write: { outbox: [command(ghost.id, 99)] } });

    const results = await store.commitMany(items);
    expect(results).to.have.length(31);
    results.forEach((result, n) => {
      expect(result.sagaId).to.equal(items[n]?.record.id);
      const expected = n === 30 ? 'missing' : n % 10 === 0 ? 'conflict' : 'committed';
      expect(result.status, `item ${n}`).to.equal(expected);
    });
    const loaded = await store.loadMany(records.map((record) => record.id));
    loaded.forEach((record, n) => expect(record?.revision).to.equal(n % 10 === 0 ? 1 : 2));
  });

  it('refuses a record whose revision does not follow the expected one', async () => {
    const record = startedRecord();
    await store.create(record);
    const skipping = { ...nextRecord(record), revision: 3 };
    let error: unknown;
    try {
      await store.commit(1, skipping);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.have.property('name', 'InvalidRecordError');
    expect(error).to.have.property('sagaId', record.id);
    expect((await store.load(record.id))?.revision).to.equal(1);
  });

  it('commits a write covering several steps, and refuses one that skips, alone', async () => {
    const [covering, skipping, plain] = [startedRecord(), startedRecord(), startedRecord()];
    await Promise.all([covering, skipping, plain].map((record) => store.create(record)));
    const results = await store.commitMany([
      { expectedRevision: 1, record: { ...nextRecord(covering), revision: 3 }, steps: 2 },
      { expectedRevision: 1, record: { ...nextRecord(skipping), revision: 4 }, steps: 2 },
      { expectedRevision: 1, record: nextRecord(plain) },
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['committed', 'rejected', 'committed']);
    const refused = results[1];
    expect(refused?.status === 'rejected' && refused.error).to.have.property(
      'name',
      'InvalidRecordError',
    );
    expect(
      (await store.loadMany([covering.id, skipping.id, plain.id])).map((r) => r?.revision),
    ).to.deep.equal([3, 1, 2]);
  });

  it('loads each saga on its own: a corrupt one answers its error, the others their records', async () => {
    const [good, corrupt] = [startedRecord(), startedRecord()];
    await Promise.all([good, corrupt].map((record) => store.create(record)));
    await infra.redis.hset(store.keys.saga(corrupt.id), 'snapshot', '{not json');
    const [first, second, third] = await store.loadEach([good.id, corrupt.id, 'no-such-saga']);
    expect(first).to.deep.equal({ record: good });
    expect(second?.error).to.have.property('name', 'CorruptRecordError');
    expect(third).to.deep.equal({ record: undefined });
  });

  it('writes the creates of one tick in one pipeline, each with its own outcome', async () => {
    const redis = infra.redisConnection();
    let pipelines = 0;
    const pipeline = redis.pipeline.bind(redis);
    redis.pipeline = (...args: Parameters<typeof redis.pipeline>) => {
      pipelines += 1;
      return pipeline(...args);
    };
    const batched = createSagaStore({ redis, keyPrefix: infra.prefix, shards: 4 });
    const records = Array.from({ length: 8 }, () => startedRecord());
    const taken = records[0] as (typeof records)[number];
    await batched.create(taken);
    pipelines = 0;

    const bad = { ...startedRecord(), revision: 3 }; // a create must store revision 1
    const outcomes = await Promise.allSettled([
      ...records.map((record) =>
        batched.create(record, { outbox: [command(record.id, 1)], history: [historyLine('go')] }),
      ),
      batched.create(bad),
    ]);

    expect(pipelines).to.equal(1);
    const created = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.created : 'rejected'));
    expect(created).to.deep.equal([false, ...records.slice(1).map(() => true), 'rejected']);
    const rejection = outcomes.at(-1);
    expect(rejection?.status === 'rejected' && rejection.reason).to.have.property(
      'name',
      'InvalidRecordError',
    );
    expect(await batched.loadMany(records.map((r) => r.id))).to.deep.equal(records);
    expect(await batched.load(bad.id)).to.equal(undefined);
  });
});
