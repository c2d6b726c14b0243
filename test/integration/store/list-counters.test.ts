import { expect } from 'chai';
import { createSagaStore, indexMember, type SagaStore } from '../../../orchestrator/store/index.js';
import type { ListQuery, SagaCount } from '../../../orchestrator/store/index.js';
import type { SagaRecord, SagaStatus } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { newSagaId, nextRecord, startedRecord } from './records.js';

const T0 = 1_700_000_000_000;
const TYPES = ['order', 'refund', 'ship:ment'];
const STATES = ['reserving', 'paying', 'compensating', 'a.b,c'];

describe('saga store: list with filters and cursors, counters (real Redis)', function () {
  const infra = useInfra('store-list');
  let store: SagaStore;
  /** What the store should hold, kept by the test. */
  const model = new Map<string, SagaRecord>();

  before(async function () {
    this.timeout(60_000);
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 5 });
    const records = Array.from({ length: 150 }, (_, n) =>
      startedRecord({
        // Every fifth saga's id has its own prefix, for the idPrefix filter.
        id: newSagaId(n % 5 === 0 ? 'vip' : 'saga'),
        type: TYPES[n % 3] ?? 'order',
        state: STATES[n % 4] ?? 'reserving',
        // Three sagas share each creation time: ties are ordered by id.
        createdAt: T0 + Math.floor(n / 3) * 1000,
      }),
    );
    await Promise.all(records.map((record) => store.create(record)));
    // A mix of steps: some move state, some end, some park, a few are stale and must not apply.
    const steps = records.map((record, n) => {
      const status: SagaStatus =
        (['running', 'completed', 'parked', 'failed'] as const)[n % 4] ?? 'running';
      const state = status === 'running' ? (STATES[(n + 1) % 4] ?? 'paying') : status;
      const next = nextRecord(record, { state, status });
      return n % 7 === 0
        ? { expectedRevision: 5, record: { ...next, revision: 6 } }
        : { expectedRevision: 1, record: next };
    });
    const results = await store.commitMany(steps);
    for (const [n, result] of results.entries()) {
      const original = records[n] as SagaRecord;
      const step = steps[n];
      model.set(original.id, result.status === 'committed' && step ? step.record : original);
    }
    expect(results.filter((result) => result.status === 'conflict')).to.have.length(22);
  });

  function expectedIds(query: ListQuery): string[] {
    return [...model.values()]
      .filter(
        (record) =>
          (query.type === undefined || record.type === query.type) &&
          (query.status === undefined || record.status === query.status) &&
          (query.state === undefined || record.state === query.state) &&
          (query.idPrefix === undefined || record.id.startsWith(query.idPrefix)) &&
          (query.createdBefore === undefined || record.createdAt < query.createdBefore),
      )
      .map((record) => indexMember(record))
      .sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)))
      .map((member) => member.slice(16));
  }

  /** Pages seen that held fewer items than the limit yet had a cursor. */
  let shortPages = 0;

  async function pageThrough(s: SagaStore, query: ListQuery): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages += 1) {
      const page = await s.listSagas(cursor === undefined ? query : { ...query, cursor });
      expect(page.items.length).to.be.at.most(query.limit ?? 50);
      ids.push(...page.items.map((item) => item.id));
      if (page.nextCursor === undefined) return ids;
      if (page.items.length < (query.limit ?? 50)) shortPages += 1;
      cursor = page.nextCursor;
    }
    throw new Error('the list never ended');
  }

  const queries: ListQuery[] = [
    {},
    { type: 'order' },
    { type: 'ship:ment' },
    { status: 'parked' },
    { status: 'running' },
    // Ended sagas are not in their status's index: these merge the shards' types' indexes.
    { status: 'completed' },
    { status: 'failed' },
    { state: 'failed' },
    { type: 'refund', status: 'completed' },
    { type: 'order', state: 'paying' },
    { type: 'ship:ment', state: 'a.b,c' },
    { type: 'order', state: 'reserving', status: 'running' },
    { state: 'compensating' },
    { status: 'running', state: 'paying' },
    { type: 'nope' },
    // Created before: the read starts lower in the indexes (three sagas share T0 + 20 s: none is).
    { createdBefore: T0 + 20_000 },
    { createdBefore: T0 + 20_001, status: 'running' },
    { createdBefore: T0 + 1, type: 'order' },
    { createdBefore: T0 },
    // An id prefix is checked on the index members.
    { idPrefix: 'vip-' },
    { idPrefix: 'vip-', type: 'refund', createdBefore: T0 + 30_000 },
    { idPrefix: 'vip-', status: 'completed' },
    { idPrefix: 'no-such-prefix' },
  ];

  for (const query of queries) {
    for (const limit of [7, 50, 500]) {
      it(`returns every saga exactly once, newest first: ${JSON.stringify(query)}, limit ${limit}`, async () => {
        const ids = await pageThrough(store, { ...query, limit });
        expect(ids).to.deep.equal(expectedIds(query));
      });
    }
  }

  it('has a filter that matches something for most queries (the test data is not empty)', () => {
    const nonEmpty = queries.filter((query) => expectedIds(query).length > 0);
    expect(nonEmpty.length).to.be.at.least(queries.length - 3);
    // The prefix and age filters pick a part of the sagas, not all and not none.
    expect(expectedIds({ idPrefix: 'vip-' })).to.have.length(30);
    expect(expectedIds({ createdBefore: T0 + 20_000 })).to.have.length(60);
    expect(expectedIds({})).to.have.length(150);
  });

  it('returns summaries with the stored fields', async () => {
    const page = await store.listSagas({ limit: 3 });
    for (const item of page.items) {
      const record = model.get(item.id);
      expect(item).to.deep.equal({
        id: record?.id,
        type: record?.type,
        definitionVersion: record?.definitionVersion,
        revision: record?.revision,
        status: record?.status,
        state: record?.state,
        createdAt: record?.createdAt,
        updatedAt: record?.updatedAt,
      });
    }
  });

  it('gives a summary the trace id of the saga’s stored trace context', async () => {
    const traced = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:tr`,
      shards: 2,
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const withTrace = startedRecord({
      id: newSagaId('traced'),
      trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const without = startedRecord({ id: newSagaId('untraced') });
    await traced.create(withTrace);
    await traced.create(without);
    const [summary, plain] = await traced.loadSummaries([withTrace.id, without.id]);
    expect(summary?.traceId).to.equal(traceId);
    expect(plain).to.not.have.property('traceId');
    const listed = await traced.listSagas({ idPrefix: 'traced-' });
    expect(listed.items.map((item) => item.traceId)).to.deep.equal([traceId]);
  });

  it('returns short pages with a cursor when a filter needs scanning, and still every saga once', async () => {
    const scanning = createSagaStore({
      redis: infra.redis,
      keyPrefix: infra.prefix,
      shards: 5,
      listScanLimit: 10,
    });
    const query: ListQuery = { state: 'paying', limit: 5 };
    shortPages = 0;
    const ids = await pageThrough(scanning, query);
    expect(ids).to.deep.equal(expectedIds(query));
    expect(shortPages).to.be.greaterThan(0);
    // An id prefix skips the other sagas without reading them, but still within the scan bound.
    const prefixed: ListQuery = { idPrefix: 'vip-', limit: 5 };
    shortPages = 0;
    expect(await pageThrough(scanning, prefixed)).to.deep.equal(expectedIds(prefixed));
    expect(shortPages).to.be.greaterThan(0);
  });

  it('rejects a cursor it did not make and a limit out of range', async () => {
    for (const query of [{ cursor: 'bm90LWEtY3Vyc29y' }, { limit: 0 }, { limit: 501 }]) {
      let error: unknown;
      try {
        await store.listSagas(query);
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(query)).to.have.property('name', 'InvalidQueryError');
    }
  });

  it('counts sagas per type, state and status exactly as stored', async () => {
    const expected = new Map<string, number>();
    for (const record of model.values()) {
      const key = `${record.type}|${record.state}|${record.status}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const counts = await store.countsByTypeAndState();
    const actual = new Map(
      counts.map((count: SagaCount) => [
        `${count.type}|${count.state}|${count.status}`,
        count.count,
      ]),
    );
    expect(actual).to.deep.equal(expected);

    const byStatus = await store.countsByStatus();
    const statuses: Partial<Record<SagaStatus, number>> = {};
    for (const record of model.values())
      statuses[record.status] = (statuses[record.status] ?? 0) + 1;
    expect(byStatus).to.deep.equal(statuses);
  });
});
