/**
 * The saga event applier keeps the records it wrote last and skips loading them for the next step. The
 * cache may be stale (another instance wrote since): these tests make it stale on purpose, with
 * two appliers on one real Redis store, and check that nothing is lost or applied twice.
 */
import { expect } from 'chai';
import { topicNames } from '../../../wire/contract/topics.js';
import { createEngine } from '../../../orchestrator/engine/create-engine.js';
import type { SagaEvent, SagaRecord } from '../../../orchestrator/engine/types.js';
import { ManualClock } from '../../../orchestrator/runtime/clock.js';
import {
  SagaEventApplier,
  type StepStore,
} from '../../../orchestrator/runtime/saga-event-applier.js';
import { createSagaStore } from '../../../orchestrator/store/index.js';
import { orderSaga } from '../../../sagas/order/index.js';
import { useInfra } from '../../support/infra.js';

const input = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'SKU-1', quantity: 1 }],
  amount: 10,
  currency: 'EUR',
};

describe('saga event applier: records kept from its own writes (real Redis)', function () {
  const infra = useInfra('event-applier-recent');
  const clock = new ManualClock(1_700_000_000_000);
  const engine = createEngine([orderSaga]);
  let sequence = 0;

  /** An applier as one orchestrator instance has it, counting the sagas it loads. */
  function instance(options: { maxAgeMs?: number } = {}) {
    const store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
    const counted = { loads: 0 };
    const countingStore: StepStore = {
      shardOf: store.shardOf,
      create: (record, write) => store.create(record, write),
      commitMany: (items) => store.commitMany(items),
      loadEach(ids) {
        counted.loads += ids.length;
        return store.loadEach(ids);
      },
    };
    const runner = new SagaEventApplier({
      engine,
      store: countingStore,
      topics: topicNames(infra.prefix),
      clock,
      ...(options.maxAgeMs !== undefined ? { recentRecordMaxAgeMs: options.maxAgeMs } : {}),
    });
    return { runner, store, counted };
  }

  async function start(runner: SagaEventApplier): Promise<SagaRecord> {
    sequence += 1;
    const outcome = await runner.start('order', { sagaId: `order-${sequence}`, input });
    if (outcome.status !== 'started') throw new Error(`not started: ${outcome.status}`);
    return outcome.record;
  }

  /** The success reply to the command the record waits for. */
  function success(record: SagaRecord): { sagaId: string; event: SagaEvent } {
    const command = record.pending[0];
    if (!command) throw new Error(`saga ${record.id} waits for nothing`);
    return {
      sagaId: record.id,
      event: {
        kind: 'reply',
        reply: {
          commandId: command.commandId,
          sagaId: record.id,
          type: command.command,
          outcome: 'success',
        },
      },
    };
  }

  it('applies the next step of a saga it wrote without loading it', async () => {
    const a = instance();
    let record = await start(a.runner);
    for (let step = 0; step < 3; step++) {
      const [outcome] = await a.runner.applyBatch([success(record)]);
      if (outcome?.status !== 'applied') throw new Error(`step ${step}: ${outcome?.status}`);
      record = outcome.record;
    }
    expect(record.status).to.equal('completed');
    expect(a.counted.loads).to.equal(0);
    expect(await a.store.load(record.id)).to.deep.equal(record);
  });

  it('re-checks against the store a reply its stale record would ignore, and applies it', async () => {
    const a = instance();
    const b = instance();
    const v1 = await start(a.runner); // a keeps v1: waiting for ReserveItems
    const [byB] = await b.runner.applyBatch([success(v1)]); // b moves the saga to v2
    if (byB?.status !== 'applied') throw new Error(`b: ${byB?.status}`);
    const v2 = byB.record;

    // The reply to v2's AuthorizePayment reaches a, whose v1 does not wait for it.
    const [outcome] = await a.runner.applyBatch([success(v2)]);

    expect(outcome?.status).to.equal('applied');
    expect((await a.store.load(v1.id))?.revision).to.equal(3);
    expect(a.counted.loads).to.equal(1);
  });

  it('lets a stale record lose the revision race and ignores a duplicate as the store says', async () => {
    const a = instance();
    const b = instance();
    const v1 = await start(a.runner);
    const [byB] = await b.runner.applyBatch([success(v1)]);
    if (byB?.status !== 'applied') throw new Error(`b: ${byB?.status}`);
    const history = (await a.store.history(v1.id)).total;

    // A redelivered ReserveItems reply reaches a: its v1 still waits for it, the store does not.
    const [outcome] = await a.runner.applyBatch([success(v1)]);

    expect(outcome).to.include({ status: 'ignored', reason: 'not-pending' });
    const stored = await a.store.load(v1.id);
    expect(stored).to.deep.equal(byB.record);
    expect((await a.store.history(v1.id)).total).to.equal(history);
  });

  it('applies a timer fired by two instances at once (a shard changing owner) to the saga once', async () => {
    // Both instances hold the record: each applies the step deadline from its own copy.
    const a = instance();
    const b = instance();
    const started = await start(a.runner);
    await b.store.load(started.id);
    const [armed] = started.timers;
    if (!armed) throw new Error('the first step arms no deadline');
    const fired = {
      sagaId: started.id,
      event: { kind: 'timer' as const, timerId: armed.timerId, dueAt: armed.dueAt },
    };
    clock.advance(armed.dueAt - clock.now());

    const outcomes = await Promise.all([
      a.runner.applyBatch([fired]),
      b.runner.applyBatch([fired]),
    ]);

    // The revision's compare-and-set lets one write win; the other reloads, finds the timer no
    // longer armed, and changes nothing.
    const statuses = outcomes.map(([outcome]) => outcome?.status).sort();
    expect(statuses).to.deep.equal(['applied', 'ignored']);
    const stored = await a.store.load(started.id);
    expect(stored?.revision).to.equal(started.revision + 1);
    const { entries } = await a.store.history(started.id, { limit: 100 });
    const firings = entries.filter(
      (entry) => (entry.data as { timerId?: string } | undefined)?.timerId === armed.timerId,
    );
    expect(firings, 'the timer’s firings in the history').to.have.length(1);
  });

  it('loads again once a kept record is older than its maximum age', async () => {
    const a = instance({ maxAgeMs: 1_000 });
    const v1 = await start(a.runner);
    clock.advance(1_001);
    const [outcome] = await a.runner.applyBatch([success(v1)]);
    expect(outcome?.status).to.equal('applied');
    expect(a.counted.loads).to.equal(1);
  });
});
