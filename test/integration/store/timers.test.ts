import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { nextRecord, startedRecord, timer } from './records.js';

const T0 = 1_700_000_000_000;

describe('saga store: durable timers (real Redis)', function () {
  const infra = useInfra('store-timers');
  let store: SagaStore;

  before(() => {
    // One shard, so every saga of a test shares the timer set the test claims from.
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 1 });
  });

  afterEach(async () => {
    await infra.redis.del(store.keys.timers(0), store.keys.timersPausedThrough(0));
  });

  async function sagaWithTimers(...timers: ReturnType<typeof timer>[]): Promise<SagaRecord> {
    const record = startedRecord({ timers });
    await store.create(record, { timersToSet: timers });
    return record;
  }

  it('claims only due timers, in due order, with the due time the saga armed', async () => {
    const late = await sagaWithTimers(timer('late', T0 + 3_000));
    const early = await sagaWithTimers(timer('early', T0 + 1_000));
    const middle = await sagaWithTimers(timer('middle', T0 + 2_000), timer('future', T0 + 60_000));

    const { claimed, dropped } = await store.claimDueTimers(0, T0 + 3_000, 10, 30_000);
    expect(dropped).to.equal(0);
    const claimedUntil = T0 + 33_000;
    expect(claimed).to.deep.equal([
      { sagaId: early.id, timerId: 'early', dueAt: T0 + 1_000, claimedUntil },
      { sagaId: middle.id, timerId: 'middle', dueAt: T0 + 2_000, claimedUntil },
      { sagaId: late.id, timerId: 'late', dueAt: T0 + 3_000, claimedUntil },
    ]);
    // Claimed timers are hidden until their lease ends; the future one was never due.
    expect((await store.claimDueTimers(0, T0 + 3_000, 10, 30_000)).claimed).to.deep.equal([]);
    expect(await store.pendingTimers()).to.equal(4);
  });

  it('respects the limit, taking the earliest first', async () => {
    await sagaWithTimers(timer('a', T0 + 10));
    const second = await sagaWithTimers(timer('b', T0 + 5));
    const { claimed } = await store.claimDueTimers(0, T0 + 100, 1, 30_000);
    expect(claimed).to.deep.equal([
      { sagaId: second.id, timerId: 'b', dueAt: T0 + 5, claimedUntil: T0 + 30_100 },
    ]);
    expect(await store.nextDueAt(0)).to.equal(T0 + 10);
  });

  it('reads the earliest timer of several shards in one pipeline', async () => {
    const two = createSagaStore({
      redis: infra.redis,
      keyPrefix: `${infra.prefix}:each`,
      shards: 2,
    });
    const record = startedRecord({ timers: [timer('t', T0 + 42)] });
    await two.create(record, { timersToSet: record.timers });
    const armedShard = two.shardOf(record.id);
    const expected = [0, 1].map((shard) => (shard === armedShard ? T0 + 42 : undefined));
    expect(await two.nextDueAtEach([0, 1])).to.deep.equal(expected);
  });

  it('makes a claimed timer due again after its lease when no step consumed it', async () => {
    const record = await sagaWithTimers(timer('attempt', T0 + 1_000));
    const first = await store.claimDueTimers(0, T0 + 1_000, 10, 5_000);
    expect(first.claimed).to.have.length(1);
    expect(await store.nextDueAt(0)).to.equal(T0 + 6_000);

    // The poller that claimed it died: at the lease's end another poller gets it.
    expect((await store.claimDueTimers(0, T0 + 5_999, 10, 5_000)).claimed).to.deep.equal([]);
    const second = await store.claimDueTimers(0, T0 + 6_000, 10, 5_000);
    expect(second.claimed).to.deep.equal([
      { sagaId: record.id, timerId: 'attempt', dueAt: T0 + 1_000, claimedUntil: T0 + 11_000 },
    ]);

    // This time the step is committed and cancels the timer: it is gone for good.
    await store.commit(1, nextRecord(record, { timers: [] }), { timersToCancel: ['attempt'] });
    expect(await store.pendingTimers()).to.equal(0);
    expect((await store.claimDueTimers(0, T0 + 99_000, 10, 5_000)).claimed).to.deep.equal([]);
    expect(await store.nextDueAt(0)).to.equal(undefined);
  });

  it('drops a due timer its saga no longer has armed, or whose saga is gone', async () => {
    const record = await sagaWithTimers(timer('stale', T0 + 1_000), timer('kept', T0 + 2_000));
    // The saga left the state that armed `stale`, but the commit did not cancel it.
    await store.commit(1, nextRecord(record, { timers: [timer('kept', T0 + 2_000)] }));
    // A timer member of a saga that does not exist at all.
    await infra.redis.zadd(store.keys.timers(0), T0 + 500, 'ghost-saga\u0000t');

    const { claimed, dropped } = await store.claimDueTimers(0, T0 + 2_000, 10, 30_000);
    expect(dropped).to.equal(2);
    expect(claimed).to.deep.equal([
      { sagaId: record.id, timerId: 'kept', dueAt: T0 + 2_000, claimedUntil: T0 + 32_000 },
    ]);
    expect(await store.pendingTimers()).to.equal(1);
  });

  it('drops the timers of a saga that has ended, even if they are still armed on it', async () => {
    const record = await sagaWithTimers(timer('late', T0 + 1_000));
    await store.commit(1, nextRecord(record, { status: 'completed', state: 'done' }));
    const { claimed, dropped } = await store.claimDueTimers(0, T0 + 1_000, 10, 30_000);
    expect(claimed).to.deep.equal([]);
    expect(dropped).to.equal(1);
    expect(await store.pendingTimers()).to.equal(0);
  });

  it('discards a claimed timer the engine ignored, but not one re-armed since the claim', async () => {
    const ignored = await sagaWithTimers(timer('ignored', T0 + 1_000));
    const rearmed = await sagaWithTimers(timer('again', T0 + 1_000));
    const { claimed } = await store.claimDueTimers(0, T0 + 1_000, 10, 30_000);
    expect(claimed).to.have.length(2);
    // Meanwhile a step re-arms `again` for later.
    await store.commit(1, nextRecord(rearmed, { timers: [timer('again', T0 + 50_000)] }), {
      timersToCancel: ['again'],
      timersToSet: [timer('again', T0 + 50_000)],
    });
    const results = await Promise.all(claimed.map((claim) => store.discardClaimedTimer(claim)));
    expect(results).to.deep.equal(claimed.map((claim) => claim.sagaId === ignored.id));
    expect(await infra.redis.zrange(store.keys.timers(0), '0', '-1')).to.deep.equal([
      `${rearmed.id}\u0000again`,
    ]);
    expect(await store.nextDueAt(0)).to.equal(T0 + 50_000);
  });

  it('claims a timer that was cancelled and re-armed in one commit at its new due time', async () => {
    const record = await sagaWithTimers(timer('retry', T0 + 1_000));
    const rearmed = nextRecord(record, { timers: [timer('retry', T0 + 9_000)] });
    await store.commit(1, rearmed, {
      timersToCancel: ['retry'],
      timersToSet: [timer('retry', T0 + 9_000)],
    });
    expect((await store.claimDueTimers(0, T0 + 8_999, 10, 30_000)).claimed).to.deep.equal([]);
    expect((await store.claimDueTimers(0, T0 + 9_000, 10, 30_000)).claimed).to.deep.equal([
      { sagaId: record.id, timerId: 'retry', dueAt: T0 + 9_000, claimedUntil: T0 + 39_000 },
    ]);
  });

  it('gives a due timer to only one of several concurrent pollers', async () => {
    const records = await Promise.all(
      Array.from({ length: 20 }, (_, n) => sagaWithTimers(timer(`t${n}`, T0 + n))),
    );
    const pollers = Array.from({ length: 4 }, () =>
      createSagaStore({ redis: infra.redisConnection(), keyPrefix: infra.prefix, shards: 1 }),
    );
    const claims = await Promise.all(
      pollers.flatMap((poller) =>
        [0, 1, 2].map(() => poller.claimDueTimers(0, T0 + 100, 3, 30_000)),
      ),
    );
    const all = claims.flatMap((claim) => claim.claimed.map((c) => `${c.sagaId}/${c.timerId}`));
    expect(all).to.have.length(new Set(all).size);
    expect(new Set(all)).to.deep.equal(new Set(records.map((r, n) => `${r.id}/t${n}`)));
  });

  describe('pushed back by an outage (pauseTimers)', function () {
    async function dueTimes(): Promise<number[]> {
      const members = await infra.redis.zrange(store.keys.timers(0), '0', '-1', 'WITHSCORES');
      return members.filter((_, i) => i % 2 === 1).map(Number);
    }

    it('moves every timer due from the outage on by its length, and none due before', async () => {
      await sagaWithTimers(timer('before', T0 + 1_000));
      await sagaWithTimers(timer('during', T0 + 5_000), timer('after', T0 + 60_000));
      const result = await store.pauseTimers(0, { since: T0 + 2_000, until: T0 + 12_000 });
      expect(result).to.deep.equal({ moved: 2, byMs: 10_000 });
      expect(await dueTimes()).to.deep.equal([T0 + 1_000, T0 + 15_000, T0 + 70_000]);
    });

    it('counts time once however many instances report it: reports add up to their union', async () => {
      await sagaWithTimers(timer('armed', T0 + 30_000));
      // Two instances saw the same outage, each from its own checks.
      expect(await store.pauseTimers(0, { since: T0, until: T0 + 10_000 })).to.deep.equal({
        moved: 1,
        byMs: 10_000,
      });
      expect(await store.pauseTimers(0, { since: T0 + 1_000, until: T0 + 11_000 })).to.deep.equal({
        moved: 1,
        byMs: 1_000,
      });
      // The same report again, or one inside what was counted, moves nothing.
      expect(await store.pauseTimers(0, { since: T0, until: T0 + 10_000 })).to.deep.equal({
        moved: 0,
        byMs: 0,
      });
      expect(await dueTimes()).to.deep.equal([T0 + 41_000]);
    });

    it('keeps the claim of a claimed timer and its due time in the record', async () => {
      const record = await sagaWithTimers(timer('claimed', T0 + 1_000));
      await store.claimDueTimers(0, T0 + 1_000, 10, 5_000);
      await store.pauseTimers(0, { since: T0 + 2_000, until: T0 + 4_000 });
      // The lease now ends 2 s later; the claim still hands out the deadline the saga armed.
      expect(await dueTimes()).to.deep.equal([T0 + 8_000]);
      const again = await store.claimDueTimers(0, T0 + 8_000, 10, 5_000);
      expect(again.claimed).to.deep.equal([
        { sagaId: record.id, timerId: 'claimed', dueAt: T0 + 1_000, claimedUntil: T0 + 13_000 },
      ]);
    });
  });
});
