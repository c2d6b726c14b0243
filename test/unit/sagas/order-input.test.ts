import { expect } from 'chai';
import { createEngine } from '../../../orchestrator/engine/index.js';
import orderSaga, { orderSaga as named } from '../../../sagas/order/index.js';
import { smallOrder } from './order-fixtures.js';

describe('order saga: definition and input', () => {
  it('is registered as type order, version 1, default and named export alike', () => {
    expect(orderSaga).to.equal(named);
    expect(orderSaga).to.include({ type: 'order', version: '1' });
  });

  it('accepts a well-formed order', () => {
    expect(orderSaga.checkInput(smallOrder)).to.deep.equal({ ok: true, value: smallOrder });
  });

  const invalid: [string, unknown, RegExp][] = [
    ['no items', { ...smallOrder, items: [] }, /\/items must NOT have fewer than 1 items/],
    [
      'a zero quantity',
      { ...smallOrder, items: [{ sku: 'a', quantity: 0 }] },
      /\/items\/0\/quantity must be >= 1/,
    ],
    [
      'a fractional quantity',
      { ...smallOrder, items: [{ sku: 'a', quantity: 1.5 }] },
      /\/items\/0\/quantity must be integer/,
    ],
    ['a zero amount', { ...smallOrder, amount: 0 }, /\/amount must be > 0/],
    ['a negative amount', { ...smallOrder, amount: -3 }, /\/amount must be > 0/],
    ['a two-letter currency', { ...smallOrder, currency: 'EU' }, /\/currency must match pattern/],
    ['a lower-case currency', { ...smallOrder, currency: 'eur' }, /\/currency must match pattern/],
    [
      'a missing customer',
      { ...smallOrder, customerId: undefined },
      /must have property "customerId"/,
    ],
    ['not an object', 'order', /\(input\) must be object/],
  ];
  for (const [what, input, message] of invalid) {
    it(`rejects ${what} with a clear error`, () => {
      const check = orderSaga.checkInput(input);
      expect(check.ok).to.equal(false);
      if (!check.ok) expect(check.errors.join('; ')).to.match(message);
    });
  }

  it('makes engine.start reject bad input as INVALID_INPUT, writing nothing', () => {
    const engine = createEngine([orderSaga]);
    const result = engine.start('order', {
      sagaId: 's1',
      input: { ...smallOrder, items: [] },
      now: 0,
    });
    expect(result.outcome).to.equal('rejected');
    if (result.outcome === 'rejected') {
      expect(result.code).to.equal('INVALID_INPUT');
      expect(result.message).to.match(/^invalid input for order: \/items must NOT have fewer/);
    }
  });
});
