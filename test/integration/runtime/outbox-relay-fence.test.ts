/**
 * The outbox relay under the shard ownership the consumer group decides (shard-ownership.ts),
 * with the group's events fed by the test and a real Redis store:
 * - regression (from the lease design): a shard lost and taken back at once (a rebalance that
 *   hands the same partition back) must keep being published; the relay loop that saw the loss
 *   ended, and the take must start a new one;
 * - the fence: another instance takes the shard behind this one's back (the test bumps the epoch
 *   as that instance would); this relay's next read is refused, it drops the shard and publishes
 *   nothing more of it, until a join gives the shard back.
 * The publisher is a recording implementation of the port.
 */
import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { createLogger } from '../../../wire/telemetry/logger.js';
import { OutboxRelay } from '../../../orchestrator/runtime/outbox-relay.js';
import type { MessagePublisher, OutgoingMessage } from '../../../wire/transport/ports.js';
import { ShardOwnership } from '../../../orchestrator/runtime/shard-ownership.js';
import { elapse, until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { startedRecord } from '../store/records.js';

const REPLIES = 'replies';
const joined = { kind: 'joined' as const, assignment: { [REPLIES]: [0] } };

describe('outbox relay: shards from the group’s assignment, fenced by the shard epoch (real Redis)', function () {
  this.timeout(30_000);
  const infra = useInfra('relay-fence');
  let store: SagaStore;
  let published: OutgoingMessage[];
  let lines: string[];

  beforeEach(() => {
    published = [];
    lines = [];
    store = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:${Math.random().toString(36).slice(2, 8)}`,
      shards: 1,
    });
  });

  function relayed(options: { slowTake?: boolean } = {}) {
    const publisher: MessagePublisher = {
      publish: async (messages) => {
        published.push(...messages);
      },
      close: async () => undefined,
    };
    const logger = createLogger('relay-test', { level: 'info', write: (line) => lines.push(line) });
    const ownership = new ShardOwnership({
      store: {
        shards: store.shards,
        // Slow, as on a loaded Redis: the relay surely sees the gap between losing and taking.
        takeShards: async (shards) => {
          if (options.slowTake) await elapse(100);
          return store.takeShards(shards);
        },
      },
      topic: REPLIES,
      partitionCount: async () => 1,
      logger,
    });
    const relay = new OutboxRelay({
      source: store,
      publisher,
      ownership,
      logger,
      pollIntervalMs: 20,
    });
    relay.start();
    infra.addCleanup(async () => {
      await relay.stop({ drain: false });
      ownership.release();
    });
    return ownership;
  }

  const enqueue = async (label: string) => {
    const record = startedRecord();
    await store.create(record, { outbox: [{ topic: 't', key: record.id, value: label }] });
  };

  it('keeps publishing a shard after a rebalance handed it back', async () => {
    const ownership = relayed({ slowTake: true });
    ownership.membership(joined);
    await ownership.settled();
    await enqueue('before');
    await until('the first message', () => published.length === 1);

    ownership.membership({ kind: 'rebalancing' });
    expect(ownership.shards().size, 'owned during the rebalance').to.equal(0);
    ownership.membership(joined);
    await ownership.settled();
    expect([...ownership.shards()]).to.deep.equal([0]);

    await enqueue('after');
    await until('the message written after the shard came back', () =>
      published.some((m) => m.value === 'after'),
    );
    expect(published.map((m) => m.value)).to.deep.equal(['before', 'after']);
  });

  it('stops relaying a shard another instance took, and takes it again at the next join', async () => {
    const ownership = relayed();
    ownership.membership(joined);
    await ownership.settled();
    await enqueue('mine');
    await until('the first message', () => published.length === 1);
    const held = ownership.epochOf(0);

    // Another instance takes shard 0 (this one was paused, or cut off from the brokers).
    await store.takeShards([0]);
    await enqueue('theirs');
    await until('the relay to be fenced', () =>
      lines.some((l) => l.includes('another instance took')),
    );
    expect(ownership.shards().has(0)).to.equal(false);
    expect(ownership.epochOf(0)).to.equal(undefined);
    expect(await store.outboxLengths([0]), 'left for the new owner').to.deep.equal([1]);
    expect(published.map((m) => m.value)).to.deep.equal(['mine']);

    ownership.membership(joined);
    await ownership.settled();
    expect(ownership.epochOf(0)).to.be.greaterThan(held ?? Infinity);
    await until('the entry to go out once the shard is this instance’s again', () =>
      published.some((m) => m.value === 'theirs'),
    );
  });
});
