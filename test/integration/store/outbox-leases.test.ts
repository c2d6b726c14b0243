import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { command, nextRecord, startedRecord } from './records.js';

describe('saga store: outbox and shard leases (real Redis)', function () {
  const infra = useInfra('store-outbox-leases');
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

  it('gives a shard lease to one owner at a time and lets only that owner renew or release it', async () => {
    expect(await store.tryAcquireLease(0, 'instance-a', 60_000)).to.equal(true);
    expect(await store.tryAcquireLease(0, 'instance-b', 60_000)).to.equal(false);
    expect(await store.leaseOwner(0)).to.equal('instance-a');
    // Acquiring again as the owner extends it.
    expect(await store.tryAcquireLease(0, 'instance-a', 60_000)).to.equal(true);

    expect(await store.renewLease(0, 'instance-b', 60_000)).to.equal(false);
    expect(await store.releaseLease(0, 'instance-b')).to.equal(false);
    expect(await store.leaseOwner(0)).to.equal('instance-a');

    expect(await store.renewLease(0, 'instance-a', 60_000)).to.equal(true);
    expect(await infra.redis.pttl(store.keys.lease(0))).to.be.greaterThan(50_000);
    expect(await store.releaseLease(0, 'instance-a')).to.equal(true);
    expect(await store.leaseOwner(0)).to.equal(undefined);
    expect(await store.tryAcquireLease(0, 'instance-b', 60_000)).to.equal(true);
    // Other shards are independent.
    expect(await store.tryAcquireLease(1, 'instance-a', 60_000)).to.equal(true);
  });

  it('lets another owner take a lease over once it expires, and the old owner cannot renew it', async () => {
    expect(await store.tryAcquireLease(2, 'dying', 150)).to.equal(true);
    await until(
      'Redis to expire the lease',
      async () => (await infra.redis.exists(store.keys.lease(2))) === 0,
    );
    expect(await store.tryAcquireLease(2, 'successor', 60_000)).to.equal(true);
    expect(await store.renewLease(2, 'dying', 60_000)).to.equal(false);
    expect(await store.leaseOwner(2)).to.equal('successor');
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

  it('renews several leases in one pipeline, only those the owner still holds', async () => {
    const own = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:renew`,
      shards: 3,
    });
    expect(await own.tryAcquireLease(0, 'pipelined', 1_000)).to.equal(true);
    expect(await own.tryAcquireLease(1, 'someone-else', 60_000)).to.equal(true);
    expect(await own.renewLeases([0, 1, 2], 'pipelined', 60_000)).to.deep.equal([
      true,
      false,
      false,
    ]);
    expect(await infra.redis.pttl(own.keys.lease(0))).to.be.greaterThan(50_000);
    expect(await own.leaseOwner(1)).to.equal('someone-else');
    expect(await own.renewLeases([], 'pipelined', 60_000)).to.deep.equal([]);
  });

  it('counts live instances by heartbeat and forgets those whose heartbeat ran out', async () => {
    expect(await store.heartbeat('instance-a', 1_000, 10_000)).to.equal(1);
    expect(await store.heartbeat('instance-b', 2_000, 10_000)).to.equal(2);
    // A repeated heartbeat is the same instance, not a new one.
    expect(await store.heartbeat('instance-a', 3_000, 10_000)).to.equal(2);
    // At 12_500, b (alive until 12_000) is gone; a (until 13_000) and c remain.
    expect(await store.heartbeat('instance-c', 12_500, 10_000)).to.equal(2);
    expect(await infra.redis.zrange(store.keys.members, '0', '-1')).to.have.members([
      'instance-a',
      'instance-c',
    ]);
  });
});
