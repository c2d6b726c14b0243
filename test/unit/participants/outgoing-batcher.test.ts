import { expect } from 'chai';
import type { OutgoingMessage } from '../../../wire/transport/ports.js';
import { outgoingBatcher } from '../../../participants/sdk/outgoing-batcher.js';
import { fakeClock } from './support/fake-clock.js';

const message = (i: number): OutgoingMessage => ({ topic: 't', key: `k${i}`, value: `v${i}` });

function recordingPublisher(fail = false) {
  const batches: OutgoingMessage[][] = [];
  return {
    batches,
    publisher: {
      async publish(messages: readonly OutgoingMessage[]) {
        batches.push([...messages]);
        if (fail) throw new Error('broker unavailable');
      },
      async close() {},
    },
  };
}

describe('participant SDK: outgoing batcher', () => {
  it('publishes messages sent together in one batch, and resolves each sender', async () => {
    const { batches, publisher } = recordingPublisher();
    const batcher = outgoingBatcher({
      publisher,
      clock: fakeClock(),
      maxBatchSize: 100,
      lingerMs: 5,
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.send([message(i)])));
    expect(batches).to.have.length(1);
    expect(batches[0]?.map((m) => m.key)).to.deep.equal(
      Array.from({ length: 10 }, (_, i) => `k${i}`),
    );
  });

  it('with no linger, publishes what was sent in the same turn together, without a timer', async () => {
    const { batches, publisher } = recordingPublisher();
    const clock = fakeClock();
    const batcher = outgoingBatcher({ publisher, clock, maxBatchSize: 100, lingerMs: 0 });
    const first = [batcher.send([message(1)]), batcher.send([message(2)])];
    await Promise.all(first);
    await batcher.send([message(3)]);
    expect(batches.map((b) => b.map((m) => m.key))).to.deep.equal([['k1', 'k2'], ['k3']]);
    expect(clock.slept).to.deep.equal([]);
  });

  it('publishes at once when a batch is full', async () => {
    const { batches, publisher } = recordingPublisher();
    const batcher = outgoingBatcher({
      publisher,
      clock: fakeClock(),
      maxBatchSize: 4,
      lingerMs: 1000,
    });
    await Promise.all(Array.from({ length: 9 }, (_, i) => batcher.send([message(i)])));
    expect(batches.map((b) => b.length)).to.deep.equal([4, 4, 1]);
  });

  it('rejects every sender of a batch that failed', async () => {
    const { publisher } = recordingPublisher(true);
    const batcher = outgoingBatcher({
      publisher,
      clock: fakeClock(),
      maxBatchSize: 10,
      lingerMs: 1,
    });
    const results = await Promise.allSettled([
      batcher.send([message(1)]),
      batcher.send([message(2)]),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });

  it('flush publishes what waits without waiting for the linger', async () => {
    const { batches, publisher } = recordingPublisher();
    const batcher = outgoingBatcher({
      publisher,
      clock: fakeClock(),
      maxBatchSize: 10,
      lingerMs: 60_000,
    });
    const sent = batcher.send([message(1)]);
    await batcher.flush();
    expect(batches).to.have.length(1);
    await sent;
  });
});
