/**
 * Signal contracts: a definition declares the schema of each signal it accepts (`signals` in
 * `defineSaga`); an authoring mistake fails when the definition loads, and the engine refuses a
 * signal whose fields break its schema (`EVENT_INVALID`, each violation listed) before the
 * statechart sees it. Undeclared signal types keep passing unchecked.
 */
import { expect } from 'chai';
import {
  createEngine,
  defineSaga,
  describeDefinition,
  SignalInvalidError,
  type SignalContracts,
} from '../../../orchestrator/engine/index.js';
import { simulateSaga } from '../../../orchestrator/engine/testing/index.js';
import orderSaga, { orderSignals } from '../../../sagas/order/index.js';
import { largeOrder, orderAt } from '../sagas/order-fixtures.js';

/** The order saga with other signal declarations (same statechart). */
function orderWith(signals: SignalContracts | undefined) {
  return defineSaga({
    ...orderSaga,
    input: { check: (input) => orderSaga.checkInput(input) },
    signals,
  });
}

const anyObject = { type: 'object' } as const;

/** What the engine throws for `event` sent to a large order waiting for approval. */
function refusal(event: { type: string } & Record<string, unknown>): SignalInvalidError {
  const waiting = simulateSaga(orderSaga, largeOrder);
  waiting.succeed('reserveInventory', { reservationId: 'res-1' });
  waiting.succeed('authorizePayment', { authorizationId: 'auth-1' });
  expect(waiting.state).to.equal('awaitingApproval');
  const revision = waiting.record.revision;
  try {
    waiting.signal(event);
  } catch (error) {
    expect(waiting.record.revision, 'nothing applied').to.equal(revision);
    expect(waiting.state).to.equal('awaitingApproval');
    expect(error).to.be.instanceOf(SignalInvalidError);
    return error as SignalInvalidError;
  }
  throw new Error(`${event.type} was not refused`);
}

describe('signal contracts', () => {
  describe('declared in defineSaga', () => {
    it('are carried on the definition and published by describeDefinition', () => {
      expect(orderSaga.signals).to.equal(orderSignals);
      expect(describeDefinition(orderSaga).signals).to.deep.equal(orderSignals);
      expect(Object.keys(orderSignals)).to.deep.equal(['order.approve', 'order.reject']);
    });

    it('refuse a type no state of the statechart accepts', () => {
      expect(() =>
        orderWith({ 'order.aprove': { description: 'typo', schema: anyObject } }),
      ).to.throw(/signal "order.aprove": no state of the statechart accepts it/);
    });

    for (const type of ['saga.cancel', 'xstate.init', 'step.reserveInventory.done']) {
      it(`refuse the reserved type ${type}`, () => {
        expect(() => orderWith({ [type]: { description: 'mine', schema: anyObject } })).to.throw(
          new RegExp(`signal "${type.replace(/\./g, '\\.')}": the type is reserved`),
        );
      });
    }

    it('refuse a schema that does not compile, naming the saga and the signal', () => {
      expect(() =>
        orderWith({ 'order.approve': { description: 'ok', schema: { type: 'strnig' } } }),
      ).to.throw(/saga type "order" signal "order.approve": not a usable JSON Schema/);
    });

    it('are checked by createEngine too, for a definition not built by defineSaga', () => {
      const handMade = { ...orderSaga, signals: { 'order.ship': orderSignals['order.approve'] } };
      expect(() => createEngine([handMade])).to.throw(
        /signal "order.ship": no state of the statechart accepts it/,
      );
    });

    it('refuse a signal without a description', () => {
      expect(() =>
        orderWith({ 'order.approve': { description: ' ', schema: anyObject } }),
      ).to.throw(/signal "order.approve": give it a description/);
    });
  });

  describe('checked by the engine', () => {
    it('refuses a field of the wrong type, with its path and what is wrong', () => {
      const error = refusal({ type: 'order.approve', approvedBy: 42 });
      expect(error.code).to.equal('EVENT_INVALID');
      expect(error.sagaId).to.equal('saga-1');
      expect(error.violations).to.deep.equal([{ path: '/approvedBy', message: 'must be string' }]);
      expect(error.message).to.match(/signal order\.approve does not match its schema/);
    });

    it('lists every violation: an empty reason and a field the signal does not declare', () => {
      const error = refusal({ type: 'order.reject', reason: '', by: 'ana' });
      expect(error.violations).to.have.deep.members([
        { path: '/', message: 'has property "by" the signal does not declare' },
        { path: '/reason', message: 'must NOT have fewer than 1 characters' },
      ]);
    });

    it('checks before the statechart: a bad payload is refused even where it is not accepted', () => {
      const sim = orderAt('reserveInventory');
      expect(() => sim.signal({ type: 'order.approve', approvedBy: 7 })).to.throw(
        SignalInvalidError,
      );
      // A valid one is only not accepted there.
      expect(sim.signal({ type: 'order.approve', approvedBy: 'ana' })).to.deep.include({
        outcome: 'ignored',
        reason: 'event-not-accepted',
      });
    });

    it('applies a signal that matches', () => {
      const sim = simulateSaga(orderSaga, largeOrder);
      sim.succeed('reserveInventory');
      sim.succeed('authorizePayment');
      const result = sim.signal({ type: 'order.approve', approvedBy: 'ana' });
      expect(result.outcome).to.equal('applied');
      expect(sim.state).to.equal('confirmOrder.attempting');
      expect(sim.record.pending.map((c) => c.command)).to.deep.equal(['ConfirmOrder']);
    });

    it('passes undeclared types unchecked, and every signal of a definition without signals', () => {
      const undeclared = orderWith({
        'order.approve': orderSignals['order.approve'],
      });
      const bare = orderWith(undefined);
      expect(bare.signals).to.equal(undefined);
      for (const definition of [undeclared, bare]) {
        const sim = simulateSaga(definition, largeOrder);
        sim.succeed('reserveInventory');
        sim.succeed('authorizePayment');
        const result = sim.signal({ type: 'order.reject', reason: 42 });
        expect(result.outcome, definition.signals ? 'undeclared' : 'bare').to.equal('applied');
        expect(sim.state).to.match(/^compensating/);
      }
    });

    it('uses the definition version the saga runs on', () => {
      const v2 = defineSaga({
        ...orderWith(undefined),
        version: '2',
        input: { check: (input) => orderSaga.checkInput(input) },
      });
      // v1 declares the signals, v2 (the latest) does not: a v1 saga is still checked by v1's.
      const engine = createEngine([orderSaga, v2]);
      const v1Saga = simulateSaga(orderSaga, largeOrder);
      v1Saga.succeed('reserveInventory');
      v1Saga.succeed('authorizePayment');
      expect(() =>
        engine.apply(
          v1Saga.record,
          { kind: 'signal', event: { type: 'order.approve', approvedBy: 1 } },
          v1Saga.now,
        ),
      ).to.throw(SignalInvalidError);
      const onV2 = { ...v1Saga.record, definitionVersion: '2' };
      const applied = engine.apply(
        onV2,
        { kind: 'signal', event: { type: 'order.approve', approvedBy: 1 } },
        v1Saga.now,
      );
      expect(applied.outcome).to.equal('applied');
    });
  });
});
