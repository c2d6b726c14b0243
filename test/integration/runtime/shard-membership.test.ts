/**
 * One membership: the orchestrators' consumer group decides who relays and fires timers for each
 * store shard (shard = replies partition mod P). Three orchestrators in this process share one
 * Kafka group and one Redis store (8 shards over a 4-partition replies topic): once the group has
 * settled every shard is owned by exactly one of them; a member that joins or leaves moves shards;
 * and a member whose shard another instance took (the test bumps the shard's epoch as that
 * instance would) stops relaying it at once, on real Kafka and Redis.
 */
import { expect } from 'chai';
import { createOrchestrator, type Orchestrator } from '../../../orchestrator/runtime/index.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { eventually } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { TEST_ORDER_TIMINGS, TEST_TUNING } from '../../support/system.js';
import { startedRecord } from '../store/records.js';

const SHARDS = 8;
const PARTITIONS = 4;
const ALL = Array.from({ length: SHARDS }, (_, shard) => shard);

describe('one membership: store shards follow the consumer group (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const infra = useInfra('shard-membership');
  const running = new Set<Orchestrator>();

  function orchestrator(name: string): Orchestrator {
    const instance = createOrchestrator({
      definitions: [createOrderSaga(TEST_ORDER_TIMINGS)],
      redis: infra.redis,
      kafka: infra.kafka,
      topicPrefix: infra.prefix,
      store: { keyPrefix: infra.prefix, shards: SHARDS },
      logger: silentLogger,
      instanceId: name,
      tuning: {
        ...TEST_TUNING,
        topicPartitions: PARTITIONS,
        topicReplicationFactor: 1,
        outboxPollIntervalMs: 200,
      },
    });
    return instance;
  }

  async function start(instance: Orchestrator): Promise<Orchestrator> {
    running.add(instance);
    await instance.start();
    return instance;
  }

  async function stop(instance: Orchestrator): Promise<void> {
    running.delete(instance);
    await instance.stop();
  }

  before(() => {
    infra.addCleanup(async () => {
      await Promise.all([...running].map((instance) => instance.stop()));
    });
  });

  /** Each shard owned by exactly one of `members`, and every member owning some: the owners. */
  function settled(members: readonly Orchestrator[]) {
    return eventually(
      `the shards to be split over ${members.length} members`,
      async () => {
        const owned = members.map((m) => m.ownedShards());
        const all = owned.flat().sort((a, b) => a - b);
        if (JSON.stringify(all) !== JSON.stringify(ALL)) return undefined;
        return owned;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
  }

  it('splits the shards over the members, moves them when one joins or leaves, and fences a stale owner', async () => {
    const a = await start(orchestrator('a'));
    expect(a.ownedShards(), 'a lone member owns every shard').to.deep.equal(ALL);

    const b = await start(orchestrator('b'));
    const c = await start(orchestrator('c'));
    const three = await settled([a, b, c]);
    // 4 partitions over 3 members: 2, 1, 1 partitions, each carrying 2 of the 8 shards.
    expect(three.map((owned) => owned.length).sort()).to.deep.equal([2, 2, 4]);
    for (const owned of three) {
      const partitions = new Set(owned.map((shard) => shard % PARTITIONS));
      expect(owned, 'a partition’s shards go together').to.have.length(partitions.size * 2);
    }

    // A member leaves (gracefully): the other two take its shards.
    const leaving = b.ownedShards();
    await stop(b);
    const two = await settled([a, c]);
    expect(two.flat()).to.include.members(leaving);
    expect(two.map((owned) => owned.length)).to.deep.equal([4, 4]);

    // Another instance takes one of a's shards behind its back (as a member a was expelled
    // from the group for would not notice at once): a's relay is refused at its next read and
    // drops the shard; the entry waits for the shard's new owner.
    const [stolen] = a.ownedShards();
    if (stolen === undefined) throw new Error('a owns no shard');
    const epochBefore = await a.store.shardEpoch(stolen);
    await a.store.takeShards([stolen]);
    let record = startedRecord();
    while (a.store.shardOf(record.id) !== stolen) record = startedRecord();
    // Written as another instance's commit whose signal was lost: the relay's sweep finds it.
    await a.store.create(record, {
      outbox: [{ topic: a.topics.events, key: record.id, value: '{}' }],
    });
    await eventually(
      'a to drop the shard another instance took',
      async () => (a.ownedShards().includes(stolen) ? undefined : true),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(await a.store.outboxLengths([stolen]), 'not published by the stale owner').to.deep.equal(
      [1],
    );
    expect(await a.store.shardEpoch(stolen)).to.be.greaterThan(epochBefore);

    // The next rebalance (a member joins) hands every shard out again, the dropped one included.
    const d = await start(orchestrator('d'));
    await settled([a, c, d]);
    await eventually(
      'the fenced shard’s entry to be published by its owner after the rebalance',
      async () => ((await a.store.outboxLengths([stolen]))[0] === 0 ? true : undefined),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });
});
