import { expect } from 'chai';
import { SameTickBatch } from '../../../orchestrator/store/same-tick-batch.js';

describe('same-tick batch', () => {
  it('joins the calls of one tick into one batch and answers each with its own outcome', async () => {
    const batches: number[][] = [];
    const batch = new SameTickBatch<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((n) =>
        n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 2 },
      );
    });
    const first = await Promise.allSettled([batch.add(1), batch.add(-1), batch.add(3)]);
    const second = await batch.add(5);

    expect(batches).to.deep.equal([[1, -1, 3], [5]]);
    expect(
      first.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
    ).to.deep.equal([2, 'bad -1', 6]);
    expect(second).to.equal(10);
  });

  it('rejects every call of a batch that failed as a whole', async () => {
    const batch = new SameTickBatch<number, number>(() =>
      Promise.reject(new Error('connection lost')),
    );
    const outcomes = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
