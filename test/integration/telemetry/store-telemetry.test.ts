import { expect } from 'chai';
import { createEngine } from '../../../orchestrator/engine/create-engine.js';
import { successReply } from '../../../orchestrator/engine/testing/simulator.js';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { oldestInState, storeGaugeSources } from '../../../orchestrator/telemetry/store-sources.js';
import orderSaga, { type OrderInput } from '../../../sagas/order/index.js';
import { useInfra } from '../../support/infra.js';

const input: OrderInput = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'A', quantity: 1 }],
  amount: 10,
  currency: 'EUR',
};
const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

describe('telemetry and the saga store (real Redis)', function () {
  const infra = useInfra('telemetry-store');
  const engine = createEngine([orderSaga]);
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
  });

  async function startAt(id: string, now: number) {
    const started = engine.start('order', { sagaId: id, input, now, trace });
    if (started.outcome !== 'applied') throw new Error('not started');
    await store.create(started.record, { timersToSet: started.record.timers });
    return started.record;
  }

  it('keeps the trace and the state entry time through create, commit and load', async () => {
    const record = await startAt('trace-1', 1_000);
    const loaded = await store.load('trace-1');
    expect(loaded?.trace).to.deep.equal(trace);
    expect(loaded?.stateEnteredAt).to.equal(1_000);

    const reserve = loaded?.pending[0];
    if (!loaded || !reserve) throw new Error('no pending command');
    const next = engine.apply(
      loaded,
      { kind: 'reply', reply: successReply(reserve, 'trace-1') },
      2_500,
    );
    if (next.outcome !== 'applied') throw new Error('not applied');
    expect((await store.commit(record.revision, next.record)).status).to.equal('committed');
    const reloaded = await store.load('trace-1');
    expect(reloaded?.trace).to.deep.equal(trace);
    expect(reloaded?.stateEnteredAt).to.equal(2_500);
    expect(reloaded).to.deep.equal(next.record);
  });

  it('finds the oldest saga of every state across shards, and reads the gauges from the store', async () => {
    // Sagas in several shards; the oldest in reserveInventory.attempting started at 500.
    for (const [n, at] of [
      [1, 900],
      [2, 500],
      [3, 700],
      [4, 1_200],
    ] as const) {
      await startAt(`oldest-${n}`, at);
    }
    expect(
      new Set(['oldest-1', 'oldest-2', 'oldest-3', 'oldest-4'].map(store.shardOf)).size,
    ).to.be.greaterThan(1);
    const oldest = await oldestInState(store, infra.redis);
    expect(oldest).to.deep.include({
      type: 'order',
      state: 'reserveInventory.attempting',
      status: 'running',
      createdAt: 500,
    });

    const sources = storeGaugeSources(store, infra.redis);
    const counts = await sources.counts?.();
    expect(counts?.find((c) => c.state === 'reserveInventory.attempting')?.count).to.be.at.least(4);
    // Each start armed its step deadline: the earliest is the oldest saga's.
    expect(await sources.pendingTimers?.()).to.be.at.least(4);
    expect(await sources.nextTimerDueAt?.()).to.equal(500 + 10_000);
  });
});
