import { expect } from 'chai';
import type { HistoryEntry, SagaRecord } from '../../../orchestrator/engine/types.js';
import { applyStepCall } from '../../../orchestrator/store/apply-step-call.js';
import { unsealHistory } from '../../../orchestrator/store/history-codec.js';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { runScript } from '../../../orchestrator/store/scripts.js';
import { useInfra } from '../../support/infra.js';
import { historyLine, nextRecord, startedRecord } from './records.js';

const T0 = 1_700_000_000_000;
const HISTORY_LIMIT = 8;

describe('saga store: an ended saga keeps its history sealed (real Redis)', function () {
  const infra = useInfra('store-sealed-history');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({
      redis: infra.redis,
      keyPrefix: infra.prefix,
      shards: 2,
      historyLimit: HISTORY_LIMIT,
    });
  });

  const lines = (from: number, count: number): HistoryEntry[] =>
    Array.from({ length: count }, (_, n) => historyLine(`h${from + n}`, T0 + from + n));

  /** A saga created with 2 entries and moved on by a step with 3 more, still running. */
  async function runningSaga(): Promise<SagaRecord> {
    const record = startedRecord({ createdAt: T0 });
    await store.create(record, { history: lines(0, 2) });
    const next = nextRecord(record, { state: 'paying' }, T0 + 10);
    await store.commit(1, next, { history: lines(2, 3) });
    return next;
  }

  const summaries = (page: { entries: HistoryEntry[] }) => page.entries.map((e) => e.summary);

  it('replaces the list by one sealed field when a step ends the saga, and reads it the same', async () => {
    const running = await runningSaga();
    const ended = nextRecord(running, { status: 'completed', state: 'done' }, T0 + 20);
    await store.commit(running.revision, ended, { history: lines(5, 2) });

    expect(await infra.redis.exists(store.keys.history(running.id))).to.equal(0);
    expect(await infra.redis.hget(store.keys.saga(running.id), 'historyZ')).to.be.a('string');
    const all = await store.history(running.id);
    expect(all.entries).to.deep.equal(lines(0, 7));
    expect(all).to.include({ total: 7, dropped: 0 });
    expect(summaries(await store.history(running.id, { offset: 2, limit: 3 }))).to.deep.equal([
      'h2',
      'h3',
      'h4',
    ]);
    expect(await store.load(running.id)).to.deep.equal(ended);
  });

  it('reads an ended saga whose history is still a list (written before sealing)', async () => {
    const running = await runningSaga();
    const ended = nextRecord(running, { status: 'failed', state: 'failed' }, T0 + 20);
    await store.commit(running.revision, ended, { history: lines(5, 1) });
    // Put the history back as the previous release left it: a list, no sealed field.
    const sealedPage = await store.history(running.id);
    const key = store.keys.saga(running.id);
    const stored = await infra.redis.hgetBuffer(key, 'historyZ');
    await infra.redis.rpush(
      store.keys.history(running.id),
      ...unsealHistory(stored ?? Buffer.alloc(0)),
    );
    await infra.redis.hdel(key, 'historyZ');

    expect(await store.history(running.id)).to.deep.equal(sealedPage);
    expect(summaries(await store.history(running.id, { offset: 4, limit: 10 }))).to.deep.equal([
      'h4',
      'h5',
    ]);
  });

  it('appends after the sealed part when an ended saga moves on, and seals all again at its end', async () => {
    const running = await runningSaga();
    const failed = nextRecord(running, { status: 'failed', state: 'failed' }, T0 + 20);
    await store.commit(running.revision, failed, { history: lines(5, 1) });
    // An operator retry: the saga runs again, its new entries in a list after the sealed ones.
    const retried = nextRecord(failed, { status: 'running', state: 'paying' }, T0 + 30);
    await store.commit(failed.revision, retried, { history: lines(6, 2) });
    expect(await infra.redis.llen(store.keys.history(running.id))).to.equal(2);
    const page = await store.history(running.id, { offset: 5, limit: 2 });
    expect(summaries(page)).to.deep.equal(['h5', 'h6']);
    expect(page.total).to.equal(8);
    expect(summaries(await store.history(running.id, { offset: 7 }))).to.deep.equal(['h7']);

    // Ending again seals the 8 + 2 entries, the oldest 2 past the limit of 8 counted as dropped.
    const completed = nextRecord(retried, { status: 'completed', state: 'done' }, T0 + 40);
    await store.commit(retried.revision, completed, { history: lines(8, 2) });
    expect(await infra.redis.exists(store.keys.history(running.id))).to.equal(0);
    const all = await store.history(running.id);
    expect(all.entries).to.deep.equal(lines(2, 8));
    expect(all).to.include({ total: 8, dropped: 2 });
  });

  it('keeps the list when it changed since it was read (a restored record): no entry is lost', async () => {
    const running = await runningSaga();
    const ended = nextRecord(running, { status: 'completed', state: 'done' }, T0 + 20);
    // The seal was read when the list had 4 entries; it has 5 now.
    const call = applyStepCall(
      store.keys,
      { retentionMs: 60_000, historyLimit: HISTORY_LIMIT },
      running.revision,
      ended,
      { history: lines(5, 1) },
      1,
      { previous: [], listLength: 4 },
    );
    expect(await runScript(infra.redis, 'applyStep', call.keys, call.args)).to.deep.equal([1]);
    expect(await infra.redis.hget(store.keys.saga(running.id), 'historyZ')).to.equal(null);
    expect((await store.history(running.id)).entries).to.deep.equal(lines(0, 6));
  });

  it('purges the sealed history with the saga', async () => {
    const running = await runningSaga();
    const ended = nextRecord(running, { status: 'completed', state: 'done' }, T0 + 20);
    await store.commit(running.revision, ended, { history: lines(5, 1) });
    expect(await store.purgeExpired(T0 + 20 + 7 * 24 * 3_600_000)).to.include(running.id);
    expect(await store.history(running.id)).to.deep.equal({ entries: [], total: 0, dropped: 0 });
    expect(await infra.redis.exists(store.keys.saga(running.id))).to.equal(0);
  });
});
