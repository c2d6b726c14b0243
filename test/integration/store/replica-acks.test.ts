/**
 * REDIS_WAIT_REPLICAS: the store's saga writes and the participant ledger's results wait for a
 * replica's acknowledgement (Redis `WAIT`) before they answer, so a failover cannot lose what the
 * orchestrator then acts on. A primary with one replica of the test's own; the replica is put to
 * sleep so that the wait, when there is one, is long enough to see, and INFO commandstats counts
 * the WAITs the primary ran.
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { redisCommandLedger } from '../../../participants/sdk/index.js';
import { nextRecord, startedRecord } from './records.js';
import { startReplicaPair, type ReplicaPair } from './replica-pair.js';

/** How long the replica sleeps: far above a WAIT on loopback (well under 1 ms). */
const REPLICA_ASLEEP_MS = 400;

describe('replica acknowledgements (Redis WAIT) of saga writes and participant results', function () {
  this.timeout(30_000);
  let pair: ReplicaPair;
  let client: Redis;

  before(async () => {
    pair = await startReplicaPair();
    client = new Redis({ port: pair.primaryPort, host: '127.0.0.1' });
  });
  after(async () => {
    client?.disconnect();
    await pair?.stop();
  });

  const storeWith = (replicaAcks?: { replicas: number; timeoutMs: number }): SagaStore =>
    createSagaStore({
      redis: client,
      keyPrefix: 'acks',
      shards: 4,
      ...(replicaAcks ? { replicaAcks } : {}),
    });
  const timed = async (work: () => Promise<unknown>) => {
    const began = performance.now();
    await work();
    return performance.now() - began;
  };

  it('without REDIS_WAIT_REPLICAS, a saga write answers without waiting for the replica', async () => {
    const store = storeWith();
    const record = startedRecord();
    await store.create(record);
    const waitsBefore = await pair.waitCalls();
    pair.sleepReplica(REPLICA_ASLEEP_MS);
    const took = await timed(() => store.commit(1, nextRecord(record)));
    expect(took).to.be.below(REPLICA_ASLEEP_MS / 2);
    expect(await pair.waitCalls()).to.equal(waitsBefore);
  });

  it('with it, every create and commit batch waits until the replica has the write', async () => {
    const store = storeWith({ replicas: 1, timeoutMs: 5_000 });
    const waitsBefore = await pair.waitCalls();
    const record = startedRecord();
    pair.sleepReplica(REPLICA_ASLEEP_MS);
    const createTook = await timed(() => store.create(record));
    // A batch of two writes (one pipeline on one Redis): one WAIT for both.
    const other = startedRecord();
    await store.create(other);
    pair.sleepReplica(REPLICA_ASLEEP_MS);
    const commitTook = await timed(() =>
      store.commitMany([
        { expectedRevision: 1, record: nextRecord(record), write: {} },
        { expectedRevision: 1, record: nextRecord(other), write: {} },
      ]),
    );
    expect(createTook).to.be.at.least(REPLICA_ASLEEP_MS * 0.8);
    expect(commitTook).to.be.at.least(REPLICA_ASLEEP_MS * 0.8);
    expect(await pair.waitCalls()).to.equal(waitsBefore + 3);
    // What the store answered for is on the replica: a promotion now would keep it.
    for (const saga of [record, other]) {
      const key = store.keys.saga(saga.id);
      expect(await pair.replica.hgetall(key)).to.deep.equal(await pair.primary.hgetall(key));
    }
  });

  it('goes on after REDIS_WAIT_TIMEOUT when the replica does not answer: the write stands', async () => {
    const store = storeWith({ replicas: 1, timeoutMs: 100 });
    const record = startedRecord();
    pair.sleepReplica(REPLICA_ASLEEP_MS * 2);
    const took = await timed(() => store.create(record));
    expect(took).to.be.within(90, REPLICA_ASLEEP_MS * 2 * 0.8);
    expect((await store.load(record.id))?.revision).to.equal(1);
  });

  it("waits for the replica after a participant's result is recorded, before it is replied", async () => {
    const ledger = redisCommandLedger({
      redis: client,
      keyPrefix: 'acks:{ledger}',
      replicaAcks: { replicas: 1, timeoutMs: 5_000 },
    });
    expect(await ledger.claim('cmd-1', 'owner', 30_000)).to.deep.equal({ kind: 'claimed' });
    const waitsBefore = await pair.waitCalls();
    pair.sleepReplica(REPLICA_ASLEEP_MS);
    const took = await timed(() =>
      ledger.complete('cmd-1', 'owner', { outcome: 'success', payload: {} }, 60_000),
    );
    expect(took).to.be.at.least(REPLICA_ASLEEP_MS * 0.8);
    expect(await pair.waitCalls()).to.equal(waitsBefore + 1);
    expect(await pair.replica.hget('acks:{ledger}:cmd:cmd-1', 'state')).to.equal('done');
  });

  it('waits for the replica before a duplicate delivery is answered from the recorded result', async () => {
    const ledger = redisCommandLedger({
      redis: client,
      keyPrefix: 'acks:{ledger}',
      replicaAcks: { replicas: 1, timeoutMs: 5_000 },
    });
    expect(await ledger.claim('cmd-2', 'owner', 30_000)).to.deep.equal({ kind: 'claimed' });
    await ledger.complete('cmd-2', 'owner', { outcome: 'success', payload: { n: 2 } }, 60_000);
    const waitsBefore = await pair.waitCalls();
    pair.sleepReplica(REPLICA_ASLEEP_MS);
    let answer: Awaited<ReturnType<typeof ledger.claim>> | undefined;
    const took = await timed(async () => {
      answer = await ledger.claim('cmd-2', 'another-delivery', 30_000);
    });
    expect(answer).to.deep.equal({
      kind: 'done',
      result: { outcome: 'success', payload: { n: 2 } },
    });
    expect(took).to.be.at.least(REPLICA_ASLEEP_MS * 0.8);
    expect(await pair.waitCalls()).to.equal(waitsBefore + 1);
  });
});
