/**
 * An idle orchestrator does not poll (issue 13): the outbox relay waits to be told of new entries
 * and the timer poller sleeps until the earliest timer of its shards. What nobody announces must
 * still go out: the entries and timers an instance left when it died between its commit and its
 * signal (found by the slow fallback poll), and those of a shard taken over from a dead instance
 * (read as soon as the shard is taken). Each path is forced by giving every other one an interval
 * of a minute. Real Redis store; the shards come from consumer-group events the test feeds the
 * ownership; the publisher and the timer handler record what they get.
 */
import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { OutboxRelay } from '../../../orchestrator/runtime/outbox-relay.js';
import { TimerPoller } from '../../../orchestrator/runtime/timer-poller.js';
import type { SagaEventItem } from '../../../orchestrator/runtime/saga-event-applier.js';
import type { MessagePublisher, OutgoingMessage } from '../../../wire/transport/ports.js';
import { ShardOwnership } from '../../../orchestrator/runtime/shard-ownership.js';
import { eventually, until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { startedRecord, timer } from '../store/records.js';

const A_MINUTE = 60_000;

describe('idle orchestrator: no polling, and nothing left behind (real Redis)', function () {
  this.timeout(30_000);
  const infra = useInfra('idle-wakeups');
  let store: SagaStore;
  let published: OutgoingMessage[];
  let reads: number;
  let timerReads: number;
  const publisher: MessagePublisher = {
    publish: async (messages) => {
      published.push(...messages);
    },
    close: async () => undefined,
  };

  beforeEach(async () => {
    published = [];
    reads = 0;
    timerReads = 0;
    // A fresh prefix per test: shard 0's epoch, outbox and timers start empty.
    store = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:${Math.random().toString(36).slice(2, 8)}`,
      shards: 1,
    });
  });

  /** Relays the shards of `ownership`; `joined` (default) hands it shard 0 at once. */
  async function ownAndRelay(options: { pollIntervalMs: number; joined?: boolean }) {
    const ownership = new ShardOwnership({
      store,
      topic: 'replies',
      partitionCount: async () => 1,
      logger: silentLogger,
    });
    // The real store, counting reads, so a test knows when the relay has looked.
    const source = {
      readOutbox: (shard: number, limit: number, epoch?: number) => {
        reads += 1;
        return store.readOutbox(shard, limit, epoch);
      },
      ackOutbox: (shard: number, ids: readonly string[], epoch?: number) =>
        store.ackOutbox(shard, ids, epoch),
      outboxLengths: (shards: readonly number[]) => store.outboxLengths(shards),
    };
    const relay = new OutboxRelay({
      source,
      publisher,
      ownership,
      logger: silentLogger,
      pollIntervalMs: options.pollIntervalMs,
    });
    relay.start();
    if (options.joined ?? true) {
      ownership.membership({ kind: 'joined', assignment: { replies: [0] } });
      await ownership.settled();
    }
    infra.addCleanup(async () => {
      await relay.stop({ drain: false });
      ownership.release();
    });
    return { ownership, relay };
  }

  /** Writes a saga with one outbox entry as a commit of another instance would, unannounced. */
  async function commitUnannounced(label: string): Promise<void> {
    const record = startedRecord();
    await store.create(record, { outbox: [{ topic: 't', key: record.id, value: label }] });
  }

  function pollTimers(pollIntervalMs: number) {
    const fired: { item: SagaEventItem; at: number }[] = [];
    // The real store, counting the reads of the next due time, so a test knows when it looked.
    const timerStore = {
      claimDueTimers: store.claimDueTimers.bind(store),
      discardClaimedTimer: store.discardClaimedTimer.bind(store),
      pauseTimers: store.pauseTimers.bind(store),
      nextDueAtEach: (shards: readonly number[]) => {
        timerReads += 1;
        return store.nextDueAtEach(shards);
      },
    };
    const poller = new TimerPoller({
      store: timerStore,
      applyBatch: async (items) => {
        for (const item of items) fired.push({ item, at: Date.now() });
        return items.map(() => ({ status: 'unknown-saga' as const }));
      },
      ownedShards: () => new Set([0]),
      now: () => Date.now(),
      logger: silentLogger,
      pollIntervalMs,
    });
    poller.start();
    infra.addCleanup(() => poller.stop());
    return { poller, fired };
  }

  async function armUnannounced(dueAt: number): Promise<string> {
    const armed = timer('step-deadline', dueAt);
    const record = startedRecord({ timers: [armed] });
    await store.create(record, { timersToSet: [armed] });
    return record.id;
  }

  it('publishes an entry nobody announced (its instance died before signalling) at the next fallback poll', async () => {
    await ownAndRelay({ pollIntervalMs: 500 });
    // The loop's first read (at start) is behind it: only a later poll can find the entry.
    await until('the relay to have read its shard once', () => reads >= 1);
    const committedAt = Date.now();
    await commitUnannounced('leftover');
    await until('the leftover entry to be published', () => published.length === 1, 5_000);
    expect(published[0]?.value).to.equal('leftover');
    expect(reads).to.be.at.least(2);
    // Nobody called notify: the poll found it within its interval (plus a loaded machine's slack).
    expect(Date.now() - committedAt).to.be.below(2_500);
  });

  it('publishes a dead instance’s leftover entries as soon as its shard is taken over, not at a poll', async () => {
    // The dead instance owned shard 0 and left an entry in its outbox; this one is in the group
    // but not assigned the shard until the rebalance that follows the death.
    await store.takeShards([0]);
    await commitUnannounced('left-by-the-dead');
    const { ownership } = await ownAndRelay({ pollIntervalMs: A_MINUTE, joined: false });
    expect(ownership.shards().has(0)).to.equal(false);
    ownership.membership({ kind: 'joined', assignment: { replies: [0] } });
    await until('the shard to be taken over', () => ownership.shards().has(0), 5_000);
    await until('the leftover entry to be published', () => published.length === 1, 2_000);
    expect(published[0]?.value).to.equal('left-by-the-dead');
  });

  it('sleeps until the earliest timer of its shards, though it checks them once a minute', async () => {
    const dueAt = Date.now() + 800;
    const sagaId = await armUnannounced(dueAt);
    const { fired } = pollTimers(A_MINUTE);
    const [first] = await eventually(
      'the timer to fire',
      () => (fired.length > 0 ? fired : undefined),
      5_000,
    );
    expect(first?.item.sagaId).to.equal(sagaId);
    expect(first?.at ?? 0).to.be.within(dueAt, dueAt + 1_000);
  });

  it('is woken by a commit that arms an earlier timer (notifyDue)', async () => {
    const { poller, fired } = pollTimers(A_MINUTE);
    // Asleep for the minute once it has looked: its shard had no timer then.
    await until('the poller to have looked once', () => timerReads >= 1);
    const dueAt = Date.now() + 300;
    const sagaId = await armUnannounced(dueAt);
    poller.notifyDue(dueAt);
    const [first] = await eventually(
      'the notified timer to fire',
      () => (fired.length > 0 ? fired : undefined),
      5_000,
    );
    expect(first?.item.sagaId).to.equal(sagaId);
    expect(first?.at ?? 0).to.be.within(dueAt, dueAt + 1_000);
  });

  it('fires a timer nobody announced at its next fallback check', async () => {
    const { fired } = pollTimers(700);
    await until('the poller to have looked once', () => timerReads >= 1);
    const armedAt = Date.now();
    const sagaId = await armUnannounced(armedAt);
    const [first] = await eventually(
      'the unannounced timer to fire',
      () => (fired.length > 0 ? fired : undefined),
      5_000,
    );
    expect(first?.item.sagaId).to.equal(sagaId);
    expect((first?.at ?? 0) - armedAt).to.be.below(700 + 1_000);
  });
});
