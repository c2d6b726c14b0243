import { expect } from 'chai';
import { deterministicFraction } from '../../../participants/examples/shipping/index.js';

describe('shipping example: deterministic failure choice', () => {
  it('gives the same fraction for the same seed and label, and spreads labels evenly', () => {
    expect(deterministicFraction('s', 'cmd-1#1')).to.equal(deterministicFraction('s', 'cmd-1#1'));
    expect(deterministicFraction('s', 'cmd-1#1')).to.not.equal(
      deterministicFraction('t', 'cmd-1#1'),
    );
    const values = Array.from({ length: 2000 }, (_, i) => deterministicFraction('seed', `c-${i}`));
    expect(values.every((v) => v >= 0 && v < 1)).to.equal(true);
    const below = values.filter((v) => v < 0.25).length;
    // 25% of 2000 = 500; a fair hash stays well within ±100.
    expect(below).to.be.within(400, 600);
  });
});
