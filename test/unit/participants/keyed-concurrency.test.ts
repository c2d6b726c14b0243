import { expect } from 'chai';
import {
  BatchAbandonedError,
  runKeyedInOrder,
} from '../../../participants/sdk/keyed-concurrency.js';

interface Item {
  key: string;
  seq: number;
}

const items = (keys: number, perKey: number): Item[] =>
  Array.from({ length: keys * perKey }, (_, i) => ({ key: `k${i % keys}`, seq: i }));

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('participant SDK: keyed concurrency', () => {
  it('keeps the order within a key and runs different keys at once, up to the limit', async () => {
    const done: Item[] = [];
    let running = 0;
    let peak = 0;
    const runningKeys = new Set<string>();
    await runKeyedInOrder(
      items(10, 5),
      async (item) => {
        expect(runningKeys.has(item.key), `two items of ${item.key} at once`).to.equal(false);
        runningKeys.add(item.key);
        peak = Math.max(peak, ++running);
        await tick();
        running--;
        runningKeys.delete(item.key);
        done.push(item);
      },
      { keyOf: (i) => i.key, concurrency: 4, shouldStop: () => false },
    );
    expect(done).to.have.length(50);
    expect(peak).to.equal(4);
    for (let k = 0; k < 10; k++) {
      const seqs = done.filter((i) => i.key === `k${k}`).map((i) => i.seq);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    }
  });

  it('starts nothing new after a failure, lets running items finish, and rejects with it', async () => {
    const finished: number[] = [];
    const run = runKeyedInOrder(
      items(3, 4),
      async (item) => {
        await tick();
        if (item.seq === 4) throw new Error('boom at 4');
        finished.push(item.seq);
      },
      { keyOf: (i) => i.key, concurrency: 3, shouldStop: () => false },
    );
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.equal('boom at 4');
    // Key k1 (seq 1, 4, 7, 10) stopped at 4; nothing after the failure started anywhere.
    expect(finished).to.not.include(7);
    expect(finished).to.include.members([0, 1, 2, 3, 5]);
    expect(finished.length).to.be.lessThan(11);
  });

  it('abandons the rest when told to stop (partition revoked) and says how much is left', async () => {
    let handled = 0;
    const run = runKeyedInOrder(
      items(1, 10),
      async () => {
        handled++;
      },
      { keyOf: (i) => i.key, concurrency: 2, shouldStop: () => handled >= 3 },
    );
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(BatchAbandonedError);
    expect((error as BatchAbandonedError).unprocessed).to.equal(7);
    expect(handled).to.equal(3);
  });
});
