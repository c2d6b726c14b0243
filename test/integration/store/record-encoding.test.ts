import { expect } from 'chai';
import type { HistoryEntry, SagaRecord } from '../../../orchestrator/engine/types.js';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { useInfra } from '../../support/infra.js';
import { command, nextRecord, startedRecord, timer } from './records.js';

const T0 = 1_700_000_000_000;

/** The meta fields of the record's first encoding, one hash field per value. */
function firstEncodingFields(record: SagaRecord): string[] {
  return [
    'id',
    record.id,
    'type',
    record.type,
    'definitionVersion',
    record.definitionVersion,
    'status',
    record.status,
    'state',
    record.state,
    'createdAt',
    String(record.createdAt),
    'updatedAt',
    String(record.updatedAt),
    ...(record.idempotencyKey !== undefined ? ['idempotencyKey', record.idempotencyKey] : []),
    // The first encoding stored timers with their event, and empty lists as '[]'.
    'timers',
    JSON.stringify(record.timers),
    'pending',
    JSON.stringify(record.pending),
  ];
}

describe('saga store: the record encoding (real Redis)', function () {
  const infra = useInfra('store-record-encoding');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
  });

  it('keeps a running saga in few fields and an ended one deflated, without pending commands or timers', async () => {
    const record = startedRecord({
      timers: [timer('t1', T0 + 5_000)],
      pending: [
        {
          commandId: 'c-1',
          step: 'reserve',
          participant: 'inventory',
          command: 'ReserveItems',
          kind: 'action',
          attempt: 1,
          issuedAt: T0,
          expiresAt: T0 + 5_000,
        },
      ],
      trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    await store.create(record, { timersToSet: record.timers, outbox: [command(record.id, 1)] });
    const key = store.keys.saga(record.id);
    expect((await infra.redis.hkeys(key)).sort()).to.deep.equal([
      '_where',
      'm',
      'pending',
      'snapshot',
      'timers',
      'trace',
      'version',
    ]);
    expect(await store.load(record.id)).to.deep.equal(record);

    const { trace: _trace, ...untraced } = record;
    const ended = nextRecord(untraced, {
      status: 'completed',
      state: 'done',
      pending: [],
      timers: [],
    });
    await store.commit(1, ended, { timersToCancel: ['t1'] });
    // The purge time is the expiry set's score alone.
    expect((await infra.redis.hkeys(key)).sort()).to.deep.equal([
      '_where',
      'm',
      'snapshotZ',
      'version',
    ]);
    expect(await store.load(record.id)).to.deep.equal(ended);
  });

  it('loads, lists, fires the timers of and commits a saga stored in the first encoding', async () => {
    // An installation upgrades with sagas in flight: their hashes have one field per meta value.
    const record = startedRecord({
      idempotencyKey: 'first-encoding',
      timers: [timer('t1', T0 + 1_000)],
      createdAt: T0,
    });
    await store.create(record, { timersToSet: record.timers });
    const key = store.keys.saga(record.id);
    await infra.redis.hdel(key, 'm');
    await infra.redis.hset(key, ...firstEncodingFields(record));
    // It also sat in the two indexes the store no longer keeps (every saga, and by type).
    const shardBase = store.keys.shardBase(store.shardOf(record.id));
    const legacyIndexes = [`${shardBase}idx:all`, `${shardBase}idx:type:order`];
    // And it kept where it is found in three fields, the index keys whole.
    const [counter = '', member = '', ...indexes] = (
      (await infra.redis.hget(key, '_where')) ?? ''
    ).split('\n');
    for (const index of legacyIndexes) await infra.redis.zadd(index, 0, member);
    await infra.redis.hdel(key, '_where');
    await infra.redis.hset(
      key,
      '_counter',
      counter,
      '_indexMember',
      member,
      '_indexes',
      [...legacyIndexes, ...indexes.map((index) => shardBase + index)].join('\n'),
    );
    const before: HistoryEntry = { at: T0, kind: 'started', summary: 'order v1 started', to: 'a' };
    await infra.redis.rpush(store.keys.history(record.id), JSON.stringify(before));

    expect(await store.load(record.id)).to.deep.equal(record);
    const byType = await store.listSagas({ type: 'order', limit: 500 });
    expect(byType.items.filter((item) => item.id === record.id)).to.have.length(1);
    expect((await store.loadSummaries([record.id]))[0]).to.include({
      id: record.id,
      state: 'reserving',
      revision: 1,
    });
    const { claimed } = await store.claimDueTimers(store.shardOf(record.id), T0 + 1_000, 10, 5_000);
    expect(claimed.map((claim) => claim.timerId)).to.deep.equal(['t1']);

    const next = nextRecord(record, { state: 'paying', timers: [] });
    const after: HistoryEntry = {
      at: T0 + 2_000,
      kind: 'command',
      step: 'pay',
      commandId: `${record.id}.pay.1`,
      summary: 'pay: Charge → payment (attempt 1)',
      data: { command: 'Charge', participant: 'payment' },
    };
    expect(await store.commit(1, next, { timersToCancel: ['t1'], history: [after] })).to.deep.equal(
      {
        status: 'committed',
        sagaId: record.id,
        revision: 2,
      },
    );
    // Rewritten in the second encoding: the first one's fields are gone, nothing is stale.
    expect((await infra.redis.hkeys(key)).sort()).to.deep.equal([
      '_where',
      'm',
      'snapshot',
      'version',
    ]);
    expect(await store.load(record.id)).to.deep.equal(next);
    for (const index of legacyIndexes) {
      expect(await infra.redis.zscore(index, member), index).to.equal(null);
    }
    // History entries of both forms read back as written, the old one first.
    expect((await store.history(record.id)).entries).to.deep.equal([before, after]);
    const stored = await infra.redis.lrange(store.keys.history(record.id), 0, -1);
    expect(stored[1]).to.not.include(record.id);
    const page = await store.listSagas({ state: 'paying', type: 'order' });
    expect(page.items.map((item) => item.id)).to.include(record.id);
  });

  it('purges an ended saga that kept where it is found in the fields written before', async () => {
    const record = startedRecord({ status: 'completed', state: 'done', createdAt: T0 });
    await store.create(record);
    const key = store.keys.saga(record.id);
    const shardBase = store.keys.shardBase(store.shardOf(record.id));
    const [counter = '', member = '', ...indexes] = (
      (await infra.redis.hget(key, '_where')) ?? ''
    ).split('\n');
    // The earlier release also kept an ended saga in its status's index.
    indexes.push('idx:status:completed');
    await infra.redis.zadd(shardBase + 'idx:status:completed', 0, member);
    await infra.redis.hdel(key, '_where');
    await infra.redis.hset(
      key,
      '_counter',
      counter,
      '_indexMember',
      member,
      '_indexes',
      indexes.map((index) => shardBase + index).join('\n'),
    );
    expect(indexes).to.have.length(3);
    // Listed once, by its status or with no filter (the status index is not read for it).
    for (const query of [{ status: 'completed' as const }, {}]) {
      const page = await store.listSagas({ ...query, limit: 500 });
      expect(
        page.items.filter((item) => item.id === record.id),
        JSON.stringify(query),
      ).to.have.length(1);
    }

    expect(await store.purgeExpired(Number.MAX_SAFE_INTEGER)).to.include(record.id);
    for (const index of indexes) {
      expect(await infra.redis.zscore(shardBase + index, member), index).to.equal(null);
    }
    expect(await infra.redis.hget(store.keys.counters(store.shardOf(record.id)), counter)).to.equal(
      null,
    );
    expect(await infra.redis.exists(key)).to.equal(0);
  });
});
