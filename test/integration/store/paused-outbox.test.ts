import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { relayBatchesDone } from '../../../orchestrator/runtime/operator-actions.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { useInfra } from '../../support/infra.js';
import { command, nextRecord, startedRecord, timer } from './records.js';

const pause = { at: 1_700_000_000_500, actor: 'alice', role: 'operator' as const, heldReplies: [] };

describe('saga store: a pause holds the saga’s outbox entries and timers (real Redis)', function () {
  const infra = useInfra('store-paused-outbox');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 2 });
  });

  function recordInShard(shard: number, overrides: Partial<SagaRecord> = {}): SagaRecord {
    for (;;) {
      const record = startedRecord(overrides);
      if (store.shardOf(record.id) === shard) return record;
    }
  }

  const values = async (shard: number) =>
    (await store.readOutbox(shard, 100)).map((entry) => String(entry.message.value));

  it('takes only the paused saga’s unpublished entries out, atomically with its write, and puts them back on resume', async () => {
    const shard = 0;
    const paused = recordInShard(shard, { timers: [timer('deadline', 1_700_000_010_000)] });
    const other = recordInShard(shard);
    await store.create(paused, {
      outbox: [command(paused.id, 1), command(paused.id, 2)],
      timersToSet: paused.timers,
    });
    await store.create(other, { outbox: [command(other.id, 1)] });
    expect(await store.pendingTimers()).to.equal(1);

    const pausedRecord: SagaRecord = { ...nextRecord(paused), paused: pause };
    const pausing = await store.commit(1, pausedRecord, {
      outboxHold: 'hold',
      timersToCancel: ['deadline'],
    });
    expect(pausing.status).to.equal('committed');
    expect(await values(shard)).to.deep.equal([JSON.stringify({ sagaId: other.id, n: 1 })]);
    expect(await store.pendingTimers()).to.equal(0);
    const loaded = await store.load(paused.id);
    expect(loaded?.paused).to.deep.equal(pause);
    expect(loaded?.timers).to.deep.equal(paused.timers);

    // A write that lost the revision race holds nothing.
    const stale = await store.commit(1, pausedRecord, { outboxHold: 'hold' });
    expect(stale.status).to.equal('conflict');

    const { paused: _gone, ...resumed } = nextRecord(pausedRecord);
    const resuming = await store.commit(2, resumed, {
      outboxHold: 'release',
      heldForMs: 5_000,
      timersToSet: [timer('deadline', 1_700_000_020_000)],
      outbox: [command(paused.id, 3)],
    });
    expect(resuming.status).to.equal('committed');
    // Back in their order, before the resume's own; the other saga's entry untouched.
    expect(await values(shard)).to.deep.equal([
      JSON.stringify({ sagaId: other.id, n: 1 }),
      JSON.stringify({ sagaId: paused.id, n: 1 }),
      JSON.stringify({ sagaId: paused.id, n: 2 }),
      JSON.stringify({ sagaId: paused.id, n: 3 }),
    ]);
    const back = await store.readOutbox(shard, 100);
    expect(back[1]?.message).to.deep.equal(command(paused.id, 1));
    // Each released entry says how long it was held (the relay moves a command's expiry so far).
    expect(back.map((entry) => entry.heldForMs)).to.deep.equal([
      undefined,
      5_000,
      5_000,
      undefined,
    ]);
    expect((await store.load(paused.id))?.paused).to.equal(undefined);
    expect(await infra.redis.hexists(store.keys.saga(paused.id), '_held')).to.equal(0);
    expect(await store.pendingTimers()).to.equal(1);
  });

  it('lets a pause wait for a relay batch read before it, and answer at once when none is in flight', async () => {
    const shard = 1;
    const saga = recordInShard(shard);
    await store.create(saga, { outbox: [command(saga.id, 1)] });
    const options = { store, logger: silentLogger, timeoutMs: 10_000, pollMs: 1 };
    // No batch in flight: done at once.
    expect(await relayBatchesDone(shard, options)).to.equal(true);

    // A relay read the entry (a batch in flight) and has not published it yet.
    const batch = await store.readOutbox(shard, 10);
    expect(batch).to.have.length(1);
    let finished = false;
    const waiting = relayBatchesDone(shard, options).then((done) => {
      finished = true;
      return done;
    });
    // The wait polls Redis: a few rounds pass while the batch is still in flight.
    for (let i = 0; i < 5; i += 1) await store.relayBatches(shard);
    expect(finished).to.equal(false);
    await store.ackOutbox(
      shard,
      batch.map((entry) => entry.id),
    );
    expect(await waiting).to.equal(true);

    // A batch that failed to publish ends the wait too; a relay that never ends its batch
    // bounds it.
    await store.create(recordInShard(shard), { outbox: [command('x', 1)] });
    await store.readOutbox(shard, 10);
    expect(await relayBatchesDone(shard, { ...options, timeoutMs: 50 })).to.equal(false);
    await store.outboxBatchFailed(shard);
    expect(await relayBatchesDone(shard, options)).to.equal(true);

    // A relay that died mid-batch: the next owner of the shard closes its batch on taking it.
    await store.readOutbox(shard, 10);
    expect(await relayBatchesDone(shard, { ...options, timeoutMs: 50 })).to.equal(false);
    await store.relayBatchesTaken(shard);
    expect(await relayBatchesDone(shard, options)).to.equal(true);
  });
});
