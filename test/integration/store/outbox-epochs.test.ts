import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { command, nextRecord, startedRecord, timer } from './records.js';

describe('saga store: outbox and shard epochs (real Redis)', function () {
  const infra = useInfra('store-outbox-epochs');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 3 });
  });

  /** A saga in the given shard. */
  function recordInShard(shard: number): SagaRecord {
    for (;;) {
      const record = startedRecord();
      if (store.shardOf(record.id) === shard) return record;
    }
  }

  it('hands out a shard outbox oldest first, keeps entries until acked, and re-reads after a crash', async () => {
    const shard = 1;
    const sagas = [recordInShard(shard), recordInShard(shard)];
    const [first, second] = sagas as [SagaRecord, SagaRecord];
    await store.create(first, { outbox: [command(first.id, 1), command(first.id, 2)] });
    await store.create(second, { outbox: [command(second.id, 1)] });
    await store.commit(1, nextRecord(first), { outbox: [command(first.id, 3)] });

    const read = await store.readOutbox(shard, 10);
    const order = read.map(
      (entry) => JSON.parse(String(entry.message.value)) as { sagaId: string; n: number },
    );
    expect(order).to.deep.equal([
      { sagaId: first.id, n: 1 },
      { sagaId: first.id, n: 2 },
      { sagaId: second.id, n: 1 },
      { sagaId: first.id, n: 3 },
    ]);
    expect(read[0]?.message).to.deep.equal(command(first.id, 1));
    expect(read[0]?.enqueuedAt).to.be.a('number').greaterThan(1_600_000_000_000);

    // The relay "crashes" before acking: the next reader gets the same entries again.
    const again = await store.readOutbox(shard, 10);
    expect(again.map((entry) => entry.id)).to.deep.equal(read.map((entry) => entry.id));

    // Publishing the first two and acking them leaves the rest, still in order.
    expect(
      await store.ackOutbox(
        shard,
        read.slice(0, 2).map((entry) => entry.id),
      ),
    ).to.equal(2);
    const rest = await store.readOutbox(shard, 10);
    expect(rest.map((entry) => entry.id)).to.deep.equal(read.slice(2).map((entry) => entry.id));
    expect(await store.readOutbox(shard, 1)).to.have.length(1);
    expect(await store.outboxBacklog()).to.equal(2);
    await store.ackOutbox(
      shard,
      rest.map((entry) => entry.id),
    );
    expect(await store.outboxBacklog()).to.equal(0);
    expect(await store.ackOutbox(shard, [])).to.equal(0);
  });

  it('keeps binary values and messages without headers as they were', async () => {
    const record = recordInShard(2);
    const binary = { topic: 't.bin', key: record.id, value: Buffer.from([0, 255, 1, 128]) };
    const text = { topic: 't.txt', key: record.id, value: 'héllo {"x":1}' };
    await store.create(record, { outbox: [binary, text] });
    const [first, second] = await store.readOutbox(2, 10);
    expect(first?.message).to.deep.equal(binary);
    expect(Buffer.isBuffer(first?.message.value)).to.equal(true);
    expect(second?.message).to.deep.equal(text);
    await store.ackOutbox(2, [first?.id ?? '', second?.id ?? '']);
  });

  it('moves a shard’s owner epoch up on every take, pipelined, each shard on its own', async () => {
    expect(await store.shardEpoch(0)).to.equal(0);
    const [zero, one] = await store.takeShards([0, 1]);
    const [oneAgain, two] = await store.takeShards([1, 2]);
    expect(await store.takeShards([])).to.deep.equal([]);
    expect(zero).to.be.greaterThan(0);
    expect(two).to.be.greaterThan(0);
    expect(oneAgain).to.be.greaterThan(one ?? Infinity);
    const now = await Promise.all([0, 1, 2].map((shard) => store.shardEpoch(shard)));
    expect(now).to.deep.equal([zero, oneAgain, two]);
  });

  it('refuses a stale owner’s read, ack and timer claim once another took the shard', async () => {
    const own = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:fence`,
      shards: 2,
    });
    const armed = timer('t1', 1_000);
    const record = startedRecord({ timers: [armed] });
    const shard = own.shardOf(record.id);
    await own.create(record, { outbox: [command(record.id, 1)], timersToSet: [armed] });
    const [stale] = await own.takeShards([shard]);
    const batch = await own.readOutbox(shard, 10, stale);
    expect(batch).to.have.length(1);
    // Another instance takes the shard while the stale owner's batch is in flight.
    const [fresh] = await own.takeShards([shard]);
    const fenced = (call: Promise<unknown>) =>
      call.then(
        () => 'went through',
        (error: Error) => error.name,
      );
    expect(await fenced(own.ackOutbox(shard, [batch[0]?.id ?? ''], stale))).to.equal(
      'ShardFencedError',
    );
    expect(await fenced(own.readOutbox(shard, 10, stale))).to.equal('ShardFencedError');
    expect(await fenced(own.claimDueTimers(shard, 2_000, 10, 30_000, stale))).to.equal(
      'ShardFencedError',
    );
    // Nothing of the stale calls took effect: the entry and the timer wait for the new owner.
    expect(await own.relayBatches(shard)).to.deep.equal({ read: 1, done: 0 });
    const again = await own.readOutbox(shard, 10, fresh);
    expect(again.map((entry) => entry.id)).to.deep.equal(batch.map((entry) => entry.id));
    expect(await own.ackOutbox(shard, [again[0]?.id ?? ''], fresh)).to.equal(1);
    const { claimed } = await own.claimDueTimers(shard, 2_000, 10, 30_000, fresh);
    expect(claimed.map((timer) => timer.timerId)).to.deep.equal(['t1']);
  });

  it('counts several shards’ outbox entries in one pipeline', async () => {
    const own = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:len`,
      shards: 3,
    });
    const record = startedRecord();
    await own.create(record, { outbox: [command(record.id, 1), command(record.id, 2)] });
    const shard = own.shardOf(record.id);
    const expected = [0, 1, 2].map((s) => (s === shard ? 2 : 0));
    expect(await own.outboxLengths([0, 1, 2])).to.deep.equal(expected);
    expect(await own.outboxLengths([])).to.deep.equal([]);
  });
});
