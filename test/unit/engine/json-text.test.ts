import { expect } from 'chai';
import {
  asJson,
  jsonInstability,
  jsonTextOf,
  rememberedOrigin,
  rememberJsonText,
} from '../../../orchestrator/engine/json-text.js';
import { recordToFields } from '../../../orchestrator/store/record-codec.js';
import { createEngine } from '../../../orchestrator/engine/index.js';
import { orderSaga } from '../../../sagas/order/index.js';

describe('JSON text remembered for persisted snapshots', () => {
  it('stringifies a remembered value once, on first ask, and answers that text after', () => {
    const value = rememberJsonText({ b: [1, { c: 'x' }] });
    const text = jsonTextOf(value);
    expect(text).to.equal('{"b":[1,{"c":"x"}]}');
    // Remembered values are immutable by contract; a change shows that the text is not redone.
    (value.b as unknown[]).push(2);
    expect(jsonTextOf(value)).to.equal(text);
    const plain = { plain: true };
    expect(jsonTextOf(plain)).to.equal('{"plain":true}');
    plain.plain = false;
    expect(jsonTextOf(plain)).to.equal('{"plain":false}');
    expect(jsonTextOf('text')).to.equal('"text"');
  });

  it('answers what a remembered value was made from, and nothing for any other value', () => {
    const origin = { live: true };
    const value = rememberJsonText({ a: 1 }, origin);
    expect(rememberedOrigin(value)).to.equal(origin);
    expect(rememberedOrigin({ a: 1 })).to.equal(undefined);
    // Invisible to keys, JSON and deep equality; a spread copy is a new, unregistered value.
    expect(Object.keys(value)).to.deep.equal(['a']);
    expect(value).to.deep.equal({ a: 1 });
    expect(rememberedOrigin({ ...value })).to.equal(undefined);
  });

  it('names the first place a trip through JSON would change a value', () => {
    expect(jsonInstability({ a: [1, 'x', null, { b: true }] })).to.equal(undefined);
    expect(jsonInstability({ a: undefined })).to.equal('$.a');
    expect(jsonInstability({ steps: { pay: { at: new Date(0) } } })).to.equal('$.steps.pay.at');
    expect(jsonInstability({ list: [1, Number.NaN] })).to.equal('$.list[1]');
    expect(jsonInstability([0, -0])).to.equal('$[1]');
    expect(jsonInstability({ f: () => 1 })).to.equal('$.f');
    expect(jsonInstability({ m: new Map() })).to.equal('$.m');
    expect(jsonInstability({ o: { toJSON: () => 'x' } })).to.equal('$.o');
    expect(jsonInstability({ toJSON: 'just data' })).to.equal(undefined);
    // eslint-disable-next-line no-sparse-arrays
    expect(jsonInstability([1, , 3])).to.equal('$[1]');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(jsonInstability(cycle)).to.be.a('string');
  });

  it('hands out plain JSON as it is and copies anything else through JSON', () => {
    const plain = { a: [1, { b: 'x' }] };
    expect(asJson(plain)).to.equal(plain);
    const dated = { a: 1, at: new Date(0), gone: undefined };
    const copied = asJson(dated);
    expect(copied).to.not.equal(dated);
    expect(copied).to.deep.equal({ a: 1, at: '1970-01-01T00:00:00.000Z' });
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
