import { expect } from 'chai';
import fc from 'fast-check';
import {
  ShardOwnership,
  shardsOfPartitions,
  type ShardEpochStore,
} from '../../../orchestrator/runtime/shard-ownership.js';
import { silentLogger } from '../../../wire/telemetry/index.js';

const REPLIES = 'saga.replies';
const joined = (...partitions: number[]) => ({
  kind: 'joined' as const,
  assignment: { [REPLIES]: partitions, 'saga.requests': [0, 1, 2, 3] },
});

/** A promise the test resolves when it chooses. */
function deferred<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('runtime: store shards follow the consumer group’s assignment', function () {
  describe('shardsOfPartitions', function () {
    it('gives shard s to the owner of partition s mod P', () => {
      expect(shardsOfPartitions([1], 4, 8)).to.deep.equal([1, 5]);
      expect(shardsOfPartitions([0, 3], 4, 8)).to.deep.equal([0, 3, 4, 7]);
      // More partitions than shards: the partitions from `shards` up carry no shard.
      expect(shardsOfPartitions([9, 3], 12, 8)).to.deep.equal([3]);
      expect(shardsOfPartitions([8, 9, 10, 11], 12, 8)).to.deep.equal([]);
      // Fewer: a partition carries several shards.
      expect(shardsOfPartitions([0], 12, 16)).to.deep.equal([0, 12]);
      expect(shardsOfPartitions([], 4, 8)).to.deep.equal([]);
    });

    it('refuses a partition count that is not a positive whole number', () => {
      expect(() => shardsOfPartitions([0], 0, 8)).to.throw(RangeError);
      expect(() => shardsOfPartitions([0], 2.5, 8)).to.throw(RangeError);
    });

    it('gives every shard to exactly one member, however the partitions are split', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 64 }),
          fc.integer({ min: 1, max: 64 }),
          fc.integer({ min: 1, max: 6 }),
          fc.infiniteStream(fc.nat()),
          (partitions, shards, members, picks) => {
            const split: number[][] = Array.from({ length: members }, () => []);
            const pick = picks[Symbol.iterator]();
            for (let p = 0; p < partitions; p++) {
              split[(pick.next().value as number) % members]?.push(p);
            }
            const owned = split.flatMap((mine) => shardsOfPartitions(mine, partitions, shards));
            expect(owned.sort((a, b) => a - b)).to.deep.equal(
              Array.from({ length: shards }, (_, s) => s),
            );
          },
        ),
      );
    });
  });

  describe('ShardOwnership', function () {
    function ownershipWith(options: { quiesce?: () => Promise<void>; failTakes?: number } = {}) {
      const taken: number[][] = [];
      const sleeps: number[] = [];
      let epoch = 100;
      let failures = options.failTakes ?? 0;
      let gate: Promise<void> | undefined;
      const store: ShardEpochStore = {
        shards: 8,
        takeShards: async (shards) => {
          await gate;
          if (failures > 0) {
            failures -= 1;
            throw new Error('Redis is away');
          }
          taken.push([...shards]);
          return shards.map(() => (epoch += 1));
        },
      };
      const ownership = new ShardOwnership({
        store,
        topic: REPLIES,
        partitionCount: async () => 4,
        logger: silentLogger,
        retryMs: 250,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        ...(options.quiesce ? { quiesce: options.quiesce } : {}),
      });
      const changes: number[][] = [];
      ownership.onChange((owned) => changes.push([...owned].sort((a, b) => a - b)));
      const holdTakes = (until: Promise<void>): void => {
        gate = until;
      };
      return { ownership, taken, sleeps, changes, holdTakes };
    }

    it('takes the shards of the replies partitions it is assigned, each with a new epoch', async () => {
      const { ownership, taken, changes } = ownershipWith();
      ownership.membership(joined(1, 2));
      await ownership.settled();
      expect([...ownership.shards()].sort((a, b) => a - b)).to.deep.equal([1, 2, 5, 6]);
      expect(taken).to.deep.equal([[1, 2, 5, 6]]);
      expect([1, 2, 5, 6].map((s) => ownership.epochOf(s))).to.deep.equal([101, 102, 103, 104]);
      expect(ownership.epochOf(0)).to.equal(undefined);
      expect(changes).to.deep.equal([[1, 2, 5, 6]]);
    });

    it('gives every shard up at once when a rebalance starts, and when the consumer stops or crashes', async () => {
      for (const leave of [
        { kind: 'rebalancing' as const },
        { kind: 'left' as const, reason: 'crashed' as const },
        { kind: 'left' as const, reason: 'stopped' as const },
      ]) {
        const { ownership, changes } = ownershipWith();
        ownership.membership(joined(0));
        await ownership.settled();
        ownership.membership(leave);
        expect(ownership.shards().size, leave.kind).to.equal(0);
        expect(ownership.epochOf(0)).to.equal(undefined);
        expect(changes).to.deep.equal([[0, 4], []]);
      }
    });

    it('replaces the whole assignment at a join, taking even the shards it kept (new epochs)', async () => {
      const { ownership, taken } = ownershipWith();
      ownership.membership(joined(0, 1));
      await ownership.settled();
      // A member the coordinator forgot re-joins without a rebalancing event.
      ownership.membership(joined(1));
      await ownership.settled();
      expect([...ownership.shards()].sort((a, b) => a - b)).to.deep.equal([1, 5]);
      expect(taken).to.deep.equal([
        [0, 1, 4, 5],
        [1, 5],
      ]);
      expect(ownership.epochOf(1)).to.equal(105);
    });

    it('waits for the work on the shards it gave up (the relay’s batch in flight) before it takes', async () => {
      const inFlight = deferred();
      const { ownership, taken } = ownershipWith({ quiesce: () => inFlight.promise });
      ownership.membership(joined(0));
      await Promise.resolve();
      await Promise.resolve();
      expect(taken, 'taken while a batch was in flight').to.deep.equal([]);
      inFlight.resolve();
      await ownership.settled();
      expect(taken).to.deep.equal([[0, 4]]);
    });

    it('drops a take that a later event overtook: the newer assignment wins', async () => {
      const slow = deferred();
      const { ownership, holdTakes } = ownershipWith();
      holdTakes(slow.promise);
      ownership.membership(joined(0));
      ownership.membership({ kind: 'rebalancing' });
      slow.resolve();
      await ownership.settled();
      expect(ownership.shards().size).to.equal(0);
    });

    it('tries a failed take again after a wait, while the assignment holds', async () => {
      const { ownership, sleeps } = ownershipWith({ failTakes: 2 });
      ownership.membership(joined(3));
      await ownership.settled();
      expect(sleeps).to.deep.equal([250, 250]);
      expect([...ownership.shards()].sort((a, b) => a - b)).to.deep.equal([3, 7]);
    });

    it('drops a shard the store fenced, only for the epoch it was taken with', async () => {
      const { ownership, changes } = ownershipWith();
      ownership.membership(joined(0));
      await ownership.settled();
      ownership.fenced(0, 42); // an older epoch's batch: not the one held now
      expect(ownership.shards().has(0)).to.equal(true);
      ownership.fenced(0, ownership.epochOf(0) ?? -1);
      expect([...ownership.shards()]).to.deep.equal([4]);
      expect(changes).to.deep.equal([[0, 4], [4]]);
    });

    it('keeps its shards through its own stop until released (the drain), but not through a crash', async () => {
      const { ownership } = ownershipWith();
      ownership.membership(joined(2));
      await ownership.settled();
      ownership.holdOnStop();
      ownership.membership({ kind: 'left', reason: 'stopped' });
      expect([...ownership.shards()].sort((a, b) => a - b)).to.deep.equal([2, 6]);
      ownership.release();
      expect(ownership.shards().size).to.equal(0);

      ownership.membership(joined(2));
      await ownership.settled();
      ownership.holdOnStop();
      ownership.membership({ kind: 'left', reason: 'crashed' });
      expect(ownership.shards().size).to.equal(0);
    });
  });
});
