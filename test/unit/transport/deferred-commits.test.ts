import { expect } from 'chai';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { BatchProcessor } from '../../../wire/kafka/batch-processor.js';
import { DeferredCommits, type PartitionOffset } from '../../../wire/kafka/deferred-commits.js';

/**
 * Handled batches' offsets, committed together at most every interval (no broker: the commit
 * is a recording function, time and timers are in the test's hands).
 */
function harness(options: { failing?: () => boolean; maxPendingMessages?: number } = {}) {
  let now = 0;
  const timers: { at: number; run: () => void; cancelled: boolean }[] = [];
  const requests: PartitionOffset[][] = [];
  const commits = new DeferredCommits({
    intervalMs: 1_000,
    maxPendingMessages: options.maxPendingMessages ?? 1_000,
    logger: silentLogger,
    now: () => now,
    setTimer: (run, ms) => {
      const timer = { at: now + ms, run, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
    commit: async (offsets) => {
      requests.push([...offsets]);
      if (options.failing?.()) throw new Error('REBALANCE_IN_PROGRESS');
    },
  });
  /** Moves time on and runs the timers due, then lets the commit's promise settle. */
  const advance = async (ms: number) => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.cancelled) continue;
      if (timer.at <= now) timer.run();
      else timers.push(timer);
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { commits, requests, advance, timers };
}

const offset = (partition: number, value: number, topic = 't'): PartitionOffset => ({
  topic,
  partition,
  offset: String(value),
});

describe('transport: deferred offset commits', () => {
  it('the first handled batch is committed at once; those within the interval go in one request, latest offset per partition', async () => {
    const { commits, requests, advance } = harness();
    commits.add(offset(0, 5));
    await advance(0);
    expect(requests).to.deep.equal([[offset(0, 5)]]);

    commits.add(offset(0, 7));
    commits.add(offset(1, 3));
    commits.add(offset(0, 9));
    commits.add(offset(2, 1, 'other'));
    await advance(999);
    expect(requests).to.have.length(1);
    await advance(1);
    expect(requests).to.have.length(2);
    expect(requests[1]).to.deep.equal([offset(0, 9), offset(1, 3), offset(2, 1, 'other')]);
    expect(commits.pendingCount()).to.equal(0);
  });

  it('commits at once, without waiting for the interval, when enough handled messages wait', async () => {
    const { commits, requests, advance } = harness({ maxPendingMessages: 10 });
    commits.add(offset(0, 5), 4);
    await advance(0);
    expect(requests).to.have.length(1);
    commits.add(offset(0, 9), 4);
    commits.add(offset(1, 2), 5);
    await advance(0);
    expect(requests).to.have.length(1); // 9 wait: below 10, the interval holds them
    commits.add(offset(1, 3), 1);
    await advance(0);
    expect(requests).to.have.length(2);
    expect(requests[1]).to.deep.equal([offset(0, 9), offset(1, 3)]);
  });

  it('a refused commit is retried at the interval, not at once, even when many messages waited', async () => {
    const { commits, requests, advance } = harness({ maxPendingMessages: 10, failing: () => true });
    commits.add(offset(0, 50), 40);
    await advance(0);
    expect(requests).to.have.length(1);
    await advance(999);
    expect(requests).to.have.length(1);
    await advance(1);
    expect(requests).to.have.length(2);
    expect(requests[1]).to.deep.equal([offset(0, 50)]);
  });

  it('a refused commit keeps its offsets for the next one unless newer ones came meanwhile', async () => {
    let fail = true;
    const { commits, requests, advance } = harness({ failing: () => fail });
    commits.add(offset(0, 5));
    commits.add(offset(1, 8));
    const refused = advance(0);
    // Partition 1 moved on while the refused request was on the wire.
    commits.add(offset(1, 12));
    await refused;
    expect(requests).to.have.length(1);
    fail = false;
    await advance(1_000);
    expect(requests[1]).to.deep.equal([offset(1, 12), offset(0, 5)]);
  });

  it('flush commits what is pending now; retain drops partitions no longer assigned', async () => {
    const { commits, requests, advance } = harness();
    commits.add(offset(0, 1));
    await advance(0);
    commits.add(offset(0, 2));
    commits.add(offset(1, 4));
    commits.add(offset(2, 6));
    commits.retain((_topic, partition) => partition !== 1);
    await commits.flush();
    expect(requests).to.deep.equal([[offset(0, 1)], [offset(0, 2), offset(2, 6)]]);
    // The cancelled timer never sends an empty request.
    await advance(5_000);
    expect(requests).to.have.length(2);
  });

  it('take hands over the pending offsets to a caller committing inline, and reset forgets them', async () => {
    const { commits, requests, advance } = harness();
    commits.add(offset(0, 1));
    await advance(0);
    commits.add(offset(3, 9));
    expect(commits.take()).to.deep.equal([offset(3, 9)]);
    commits.add(offset(4, 2));
    commits.reset();
    await advance(5_000);
    expect(requests).to.deep.equal([[offset(0, 1)]]);
  });
});

describe('transport: the batch processor and deferred commits', () => {
  /** One batch of partition 2 through a processor; kafkajs' payload is faked (no broker). */
  async function handleBatch(commitInline: boolean, fail = false) {
    const { commits, requests, advance } = harness();
    commits.add(offset(5, 40));
    await advance(0); // the first commit went; what follows waits for the interval
    commits.add(offset(5, 41));
    const inline: unknown[] = [];
    let resolved = '';
    const processor = new BatchProcessor(
      silentLogger,
      { initialMs: 60_000, maxMs: 60_000 },
      commits,
      () => commitInline,
    );
    const payload = {
      batch: {
        topic: 't',
        partition: 2,
        messages: [
          { offset: '7', key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0' },
        ],
      },
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => undefined,
      resolveOffset: (value: string) => (resolved = value),
      uncommittedOffsets: () => ({
        topics: [
          { topic: 't', partitions: [{ partition: '2', offset: String(Number(resolved) + 1) }] },
        ],
      }),
      commitOffsetsIfNecessary: async (offsets: unknown) => void inline.push(offsets),
    } as unknown as EachBatchPayload;
    const consumer = { seek: () => undefined } as unknown as Consumer;
    await processor.process(
      consumer,
      async () => {
        if (fail) throw new Error('not now');
      },
      payload,
    );
    processor.reset();
    return { commits, requests, inline };
  }

  it('a handled batch returns without a commit request; its offset waits with the others', async () => {
    const { commits, requests, inline } = await handleBatch(false);
    expect(inline).to.deep.equal([]);
    expect(requests).to.have.length(1);
    expect(commits.take()).to.deep.equal([offset(5, 41), offset(2, 8)]);
  });

  it('committing inline (a stopping subscriber) sends the batch and everything pending in one request', async () => {
    const { commits, inline } = await handleBatch(true);
    expect(inline).to.deep.equal([
      {
        topics: [
          {
            topic: 't',
            partitions: [
              { partition: 5, offset: '41' },
              { partition: 2, offset: '8' },
            ],
          },
        ],
      },
    ]);
    expect(commits.pendingCount()).to.equal(0);
  });

  it('a rejected batch adds nothing to commit', async () => {
    const { commits, inline } = await handleBatch(false, true);
    expect(inline).to.deep.equal([]);
    expect(commits.take()).to.deep.equal([offset(5, 41)]);
  });
});
