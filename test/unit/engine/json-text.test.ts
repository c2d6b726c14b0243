import { expect } from 'chai';
import { jsonTextOf, rememberedJsonCopy } from '../../../orchestrator/engine/json-text.js';
import { recordToFields } from '../../../orchestrator/store/record-codec.js';
import { createEngine } from '../../../orchestrator/engine/index.js';
import { orderSaga } from '../../../sagas/order/index.js';

describe('JSON text remembered for persisted snapshots', () => {
  it('copies through JSON and answers the text the copy was parsed from', () => {
    const value = { a: undefined, b: [1, { c: 'x' }], d: new Date(0) };
    const copy = rememberedJsonCopy(value);
    expect(copy).to.deep.equal({ b: [1, { c: 'x' }], d: '1970-01-01T00:00:00.000Z' });
    expect(jsonTextOf(copy)).to.equal(JSON.stringify(value));
    expect(jsonTextOf(value)).to.equal(JSON.stringify(value));
    expect(jsonTextOf({ plain: true })).to.equal('{"plain":true}');
    expect(jsonTextOf('text')).to.equal('"text"');
  });

  it('stores a started saga’s snapshot exactly as JSON.stringify would', () => {
    const engine = createEngine([orderSaga]);
    const started = engine.start('order', {
      sagaId: 'order-1',
      now: 1_700_000_000_000,
      input: {
        orderId: 'o-1',
        customerId: 'c-1',
        items: [{ sku: 'SKU-1', quantity: 1 }],
        amount: 10,
        currency: 'EUR',
      },
    });
    if (started.outcome !== 'applied') throw new Error(started.message);
    const fields = recordToFields(started.record);
    const stored = fields[fields.indexOf('snapshot') + 1];
    expect(stored).to.equal(JSON.stringify(started.record.snapshot));
  });
});
