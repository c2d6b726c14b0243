/**
 * SAGA_TYPES chooses which loaded definitions run: the example order saga can stay out of
 * production, and a type named but not loaded stops the start-up with what was loaded.
 */
import { expect } from 'chai';
import {
  DefinitionLoadError,
  selectDefinitions,
} from '../../../orchestrator/runtime/load-definitions.js';
import type { SagaDefinition } from '../../../orchestrator/engine/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';

const order = createOrderSaga();
// Only the type matters to the selection.
const refund: SagaDefinition = { ...order, type: 'refund' };
const invoice: SagaDefinition = { ...order, type: 'invoice' };
const loaded = [order, refund, invoice];

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
