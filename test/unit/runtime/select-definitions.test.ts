/**
 * SAGA_TYPES chooses which loaded definitions run: the example order saga can stay out of
 * production, and a type named but not loaded stops the start-up with what was loaded.
 */
import { expect } from 'chai';
import {
  DefinitionLoadError,
  mergeDefinitions,
  selectDefinitions,
} from '../../../orchestrator/runtime/load-definitions.js';
import type { SagaDefinition } from '../../../orchestrator/engine/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';

const order = createOrderSaga();
// Only the type matters to the selection.
const refund: SagaDefinition = { ...order, type: 'refund' };
const invoice: SagaDefinition = { ...order, type: 'invoice' };
const loaded = [order, refund, invoice];
const orderV2: SagaDefinition = { ...order, version: '2' };

describe('selectDefinitions (SAGA_TYPES)', () => {
  it('runs every loaded definition when SAGA_TYPES is unset', () => {
    expect(selectDefinitions(loaded, undefined)).to.deep.equal(loaded);
  });

  it('runs only the types named, in their order (the order saga left out)', () => {
    expect(selectDefinitions(loaded, ['invoice', 'refund'])).to.deep.equal([invoice, refund]);
  });

  it('refuses a type that no loaded definition has, listing what was loaded', () => {
    expect(() => selectDefinitions(loaded, ['refund', 'refnud']))
      .to.throw(DefinitionLoadError)
      .with.property(
        'message',
        'SAGA_TYPES names saga types that no loaded definition has: refnud (loaded: invoice, order, refund)',
      );
  });
});

describe('mergeDefinitions: versions side by side', () => {
  it('keeps two versions of one type (folders order/ and order-v2/), and SAGA_TYPES keeps both', () => {
    const merged = mergeDefinitions([order, refund], [orderV2]);
    expect(merged).to.deep.equal([order, refund, orderV2]);
    expect(selectDefinitions(merged, ['order'])).to.deep.equal([order, orderV2]);
  });

  it('refuses the same type and version from two places', () => {
    expect(() => mergeDefinitions([order], [{ ...order }]))
      .to.throw(DefinitionLoadError)
      .with.property('message', 'two saga definitions have the type "order" and version 1');
  });
});
