/**
 * A list of 10,000 sagas pages: every filter of `GET /v1/sagas` reads a bounded number of sagas
 * per page, however many are stored. The store's summary reader is wrapped to count the sagas
 * each page reads (the indexes and timer sets are read with ZRANGE … LIMIT, bounded by the page).
 */
import { expect } from 'chai';
import { createStoreKeys, indexMember } from '../../../orchestrator/store/keys.js';
import { listSagas } from '../../../orchestrator/store/list-sagas.js';
import {
  createSagaStore,
  type ListQuery,
  type SagaStore,
} from '../../../orchestrator/store/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { newSagaId, startedRecord, timer } from './records.js';

const SAGAS = 10_000;
const T0 = 1_700_000_000_000;
const SHARDS = 8;
const SCAN_LIMIT = 1_000;

describe('saga store: a list of 10,000 sagas pages, every filter reading a bounded part (real Redis)', function () {
  this.timeout(120_000);
  const infra = useInfra('store-list-10k');
  let store: SagaStore;
  const records: SagaRecord[] = [];
  /** Sagas read by the list so far (summaries loaded). */
  let read = 0;

  before(async () => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: SHARDS });
    for (let n = 0; n < SAGAS; n += 1) {
      // One saga in 1,000 is overdue (its deadline long past); one in 100 has the prefix `vip-`.
      const overdue = n % 1_000 === 7;
      records.push(
        startedRecord({
          id: newSagaId(n % 100 === 3 ? 'vip' : 'saga'),
          createdAt: T0 + n * 1_000,
          timers: [timer('deadline', overdue ? T0 : T0 + 10 * SAGAS * 1_000)],
        }),
      );
    }
    for (let start = 0; start < SAGAS; start += 500) {
      await Promise.all(
        records
          .slice(start, start + 500)
          .map((record) => store.create(record, { timersToSet: record.timers })),
      );
    }
  });

  const keys = () => createStoreKeys(infra.prefix, SHARDS);
  const page = (query: ListQuery) =>
    listSagas(
      {
        redis: infra.redis,
        keys: keys(),
        scanLimit: SCAN_LIMIT,
        loadSummaries: async (ids) => {
          read += ids.length;
          return store.loadSummaries(ids);
        },
      },
      query,
    );

  const newestFirst = (matching: SagaRecord[]) =>
    [...matching]
      .sort((a, b) => Buffer.compare(Buffer.from(indexMember(b)), Buffer.from(indexMember(a))))
      .map((r) => r.id);

  it('reads one page’s worth of sagas for the first page, by any filter', async () => {
    for (const [query, expected] of [
      [{ limit: 50 }, newestFirst(records).slice(0, 50)],
      [
        { limit: 50, createdBefore: T0 + 5_000 * 1_000 },
        newestFirst(records.slice(0, 5_000)).slice(0, 50),
      ],
      [
        { limit: 50, overdueBefore: T0 + 1 },
        newestFirst(records.filter((_, n) => n % 1_000 === 7)),
      ],
    ] as const) {
      read = 0;
      const first = await page(query);
      expect(
        first.items.map((s) => s.id),
        JSON.stringify(query),
      ).to.deep.equal(expected);
      // The page and the one saga that tells whether there is a next page; the prefix reads only
      // its own sagas (the ids are in the index entries); overdue only the overdue ones.
      expect(read, JSON.stringify(query)).to.be.at.most((query.limit ?? 50) + 1);
    }
  });

  it('pages by id prefix reading only the prefix’s sagas, a bounded number of index entries a page', async () => {
    const vip = newestFirst(records.filter((r) => r.id.startsWith('vip-')));
    expect(vip).to.have.length(SAGAS / 100);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    read = 0;
    do {
      const next = await page({ limit: 20, idPrefix: 'vip-', ...(cursor ? { cursor } : {}) });
      seen.push(...next.items.map((s) => s.id));
      cursor = next.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(seen).to.deep.equal(vip);
    // Only the vip sagas (and one past a full page) are read: the others are skipped by their
    // index entry. A page examines at most SCAN_LIMIT entries, so 10,000 take about ten pages.
    expect(read).to.be.at.most(vip.length + pages);
    expect(pages).to.be.within(SAGAS / SCAN_LIMIT, SAGAS / SCAN_LIMIT + 6);
  });

  it('pages through all 10,000, each once, newest first, 500 at a time', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      read = 0;
      const next = await page({ limit: 500, ...(cursor ? { cursor } : {}) });
      expect(read).to.be.at.most(501);
      seen.push(...next.items.map((s) => s.id));
      cursor = next.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).to.equal(20);
    expect(seen).to.deep.equal(newestFirst(records));
  });
});
