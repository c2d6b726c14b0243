import { expect } from 'chai';
import { Cluster, Redis } from 'ioredis';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { shardSlot } from '../../../orchestrator/store/keys.js';
import { startClusterNode, type ClusterNode } from './cluster-node.js';
import { command, historyLine, nextRecord, startedRecord, timer } from './records.js';

const T0 = 1_700_000_000_000;

describe('saga store on Redis Cluster (a real one-node cluster)', function () {
  this.timeout(60_000);
  let node: ClusterNode;
  let cluster: Cluster;
  let direct: Redis;
  let store: SagaStore;

  before(async () => {
    node = await startClusterNode();
    cluster = new Cluster([{ host: '127.0.0.1', port: node.port }]);
    direct = new Redis({ host: '127.0.0.1', port: node.port });
    store = createSagaStore({ redis: cluster, keyPrefix: 'saga', shards: 8, retentionMs: 1_000 });
  });

  after(async () => {
    cluster?.disconnect();
    direct?.disconnect();
    await node?.stop();
  });

  const slot = async (key: string) => Number(await direct.call('CLUSTER', 'KEYSLOT', key));

  it('puts every key of a saga and of its shard in one slot (CLUSTER KEYSLOT)', async () => {
    const slotsOfShards = new Set<number>();
    for (let n = 0; n < 40; n += 1) {
      const record = startedRecord({ type: `type:${n % 3}`, state: `a.b,${n}` });
      const shard = store.shardOf(record.id);
      const keys = [
        store.keys.saga(record.id),
        store.keys.history(record.id),
        store.keys.outbox(shard),
        store.keys.timers(shard),
        store.keys.expiry(shard),
        store.keys.counters(shard),
        store.keys.ownerEpoch(shard),
        store.keys.relayBatches(shard),
        ...store.keys.indexKeysOf(record),
      ];
      const slots = new Set(await Promise.all(keys.map(slot)));
      expect(slots.size, keys.join(' ')).to.equal(1);
      slotsOfShards.add([...slots][0] ?? -1);
    }
    // Different shards are different slots, so a cluster can spread them.
    expect(slotsOfShards.size).to.equal(8);
  });

  it('knows the slot of every shard (shardSlot, what the pipelines group by)', async () => {
    for (let shard = 0; shard < 8; shard += 1) {
      expect(shardSlot(shard), `shard ${shard}`).to.equal(await slot(store.keys.outbox(shard)));
    }
  });

  it('sends a batch over many shards in one pipeline per node, not one per shard', async () => {
    const shards = Array.from({ length: store.shards }, (_, shard) => shard);
    await store.outboxLengths(shards); // the client has its slot map from here on
    const made: unknown[] = [];
    const pipeline = cluster.pipeline.bind(cluster);
    cluster.pipeline = (...args: Parameters<typeof pipeline>) => {
      made.push(args);
      return pipeline(...args);
    };
    try {
      expect(await store.outboxLengths(shards)).to.have.length(8);
    } finally {
      cluster.pipeline = pipeline;
    }
    // One node serves all 8 shards' slots here: one pipeline (it was 8).
    expect(made).to.have.length(1);
  });

  it('refuses a script that reaches into another slot (the check the store relies on)', async () => {
    const lua = "#!lua\nredis.call('SET', ARGV[1], 1)\nreturn 1";
    let error: unknown;
    try {
      await direct.eval(lua, 1, store.keys.outbox(0), store.keys.outbox(1));
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.match(/do not hash to the same slot/);
  });

  it('runs every store operation through a cluster client without a cross-slot error', async () => {
    const records = Array.from({ length: 24 }, (_, n) =>
      startedRecord({ createdAt: T0 + n, timers: [timer('attempt', T0 + 1_000)] }),
    );
    const created = await Promise.all(
      records.map((record) =>
        store.create(record, {
          outbox: [command(record.id, 1)],
          timersToSet: record.timers,
          history: [historyLine('started')],
        }),
      ),
    );
    expect(created.every((result) => result.created)).to.equal(true);
    expect(await store.loadMany(records.map((record) => record.id))).to.deep.equal(records);

    const steps = records.map((record, n) => ({
      expectedRevision: 1,
      record: nextRecord(
        record,
        n % 2 === 0 ? { state: 'completed', status: 'completed', timers: [] } : { state: 'paying' },
        T0 + 2_000,
      ),
      write: {
        outbox: [command(record.id, 2)],
        timersToCancel: n % 2 === 0 ? ['attempt'] : [],
        history: [historyLine('step')],
      },
    }));
    const results = await store.commitMany(steps);
    expect(results.map((result) => result.status)).to.deep.equal(records.map(() => 'committed'));

    const page = await store.listSagas({ status: 'running', limit: 5 });
    expect(page.items).to.have.length(5);
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const next = await store.listSagas({
        type: 'order',
        limit: 7,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...next.items.map((item) => item.id));
      cursor = next.nextCursor;
    } while (cursor);
    expect(all).to.have.length(24);

    let claimed = 0;
    for (let shard = 0; shard < store.shards; shard += 1) {
      claimed += (await store.claimDueTimers(shard, T0 + 5_000, 100, 10_000)).claimed.length;
      // The fenced scripts read the shard's epoch key: it must share the shard's slot.
      const [epoch] = await store.takeShards([shard]);
      const outbox = await store.readOutbox(shard, 100, epoch);
      await store.ackOutbox(
        shard,
        outbox.map((entry) => entry.id),
        epoch,
      );
    }
    expect(claimed).to.equal(12);
    expect(await store.outboxBacklog()).to.equal(0);
    expect((await store.history(records[0]?.id ?? '')).total).to.equal(2);

    const purged = await store.purgeExpired(T0 + 60_000, 100);
    expect(purged).to.have.length(12);
    const counts = await store.countsByTypeAndState();
    expect(counts).to.deep.equal([
      { type: 'order', state: 'paying', status: 'running', count: 12 },
    ]);
  });
});
