/**
 * Step deadlines are named delays (`saga.stepTimeout.<step>`): the timer id does not carry the
 * deadline's length, so a deadline can change while sagas wait; a definition whose deadline
 * lengths were not provided is refused; and a deadline armed under the old id
 * (`xstate.after.<ms>.<state>`, before the change) still fires as the step's deadline and is still
 * cancelled when the step moves on.
 */
import { expect } from 'chai';
import {
  SagaEngineError,
  createEngine,
  type SagaDefinition,
  type SagaRecord,
} from '../../../orchestrator/engine/index.js';
import { successReply } from '../../../orchestrator/engine/testing/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { smallOrder } from '../sagas/order-fixtures.js';

const NOW = 1_767_225_600_000;
const NAMED_ID = 'xstate.after.saga.stepTimeout.reserveInventory.order.reserveInventory.attempting';
const LEGACY_ID = 'xstate.after.10000.order.reserveInventory.attempting';

function startOrder(definition: SagaDefinition): SagaRecord {
  const result = createEngine([definition]).start('order', {
    sagaId: 'saga-1',
    input: smallOrder,
    now: NOW,
  });
  if (result.outcome !== 'applied') throw new Error(result.message);
  return result.record;
}

/** The record as an orchestrator before named deadlines stored it: the timer under its old id. */
function withLegacyDeadline(record: SagaRecord): SagaRecord {
  const copy = structuredClone(record);
  copy.timers = copy.timers.map((t) =>
    t.timerId === NAMED_ID ? { ...t, timerId: LEGACY_ID, event: { type: LEGACY_ID } } : t,
  );
  return copy;
}

describe('engine: step deadlines are named delays', () => {
  it('names the timer after the step, not the length; the length comes from the step', () => {
    const quick = startOrder(createOrderSaga({ stepTimeoutMs: 2_000 }));
    const slow = startOrder(createOrderSaga({ stepTimeoutMs: 10_000 }));
    expect(quick.timers.map((t) => [t.timerId, t.dueAt])).to.deep.equal([[NAMED_ID, NOW + 2_000]]);
    expect(slow.timers.map((t) => [t.timerId, t.dueAt])).to.deep.equal([[NAMED_ID, NOW + 10_000]]);
  });

  it('a deadline armed with one length fires after the definition changed it', () => {
    const record = startOrder(createOrderSaga({ stepTimeoutMs: 2_000 }));
    const changed = createEngine([createOrderSaga({ stepTimeoutMs: 30_000 })]);
    const result = changed.apply(record, { kind: 'timer', timerId: NAMED_ID }, NOW + 2_000);
    if (result.outcome !== 'applied') throw new Error(`ignored: ${result.detail}`);
    expect(result.record.state).to.equal('reserveInventory.retrying');
    expect(result.history.map((h) => h.kind)).to.include('timer');
  });

  it('refuses a definition whose step deadlines were not provided (built without defineSaga)', () => {
    const defined = createOrderSaga();
    // The machine as the kit built it, before defineSaga provided the deadline lengths: XState
    // would fire an unknown delay at once.
    const bare: SagaDefinition = {
      ...defined,
      machine: defined.machine.provide({
        delays: { 'saga.stepTimeout.reserveInventory': undefined },
      }),
    };
    expect(() => createEngine([bare]))
      .to.throw(SagaEngineError)
      .with.property('message')
      .that.contains('step "reserveInventory" has no deadline length');
  });

  describe('a deadline armed under the old id (xstate.after.<ms>.<state>)', () => {
    const engine = createEngine([createOrderSaga()]);

    it('fires as the step deadline: the attempt times out and a retry is scheduled', () => {
      const record = withLegacyDeadline(startOrder(createOrderSaga()));
      const result = engine.apply(record, { kind: 'timer', timerId: LEGACY_ID }, NOW + 10_000);
      if (result.outcome !== 'applied') throw new Error(`ignored: ${result.detail}`);
      expect(result.record.state).to.equal('reserveInventory.retrying');
      expect(result.record.timers.map((t) => t.timerId)).not.to.include(LEGACY_ID);
    });

    it('is cancelled when the step moves on, so it never fires into a later attempt', () => {
      const record = withLegacyDeadline(startOrder(createOrderSaga()));
      const command = record.pending[0];
      if (!command) throw new Error('no pending command');
      const result = engine.apply(
        record,
        { kind: 'reply', reply: successReply(command, record.id, { reservationId: 'r-1' }) },
        NOW + 1_000,
      );
      if (result.outcome !== 'applied') throw new Error(`ignored: ${result.detail}`);
      expect(result.record.state).to.equal('authorizePayment.attempting');
      expect(result.record.timers.map((t) => t.timerId)).to.deep.equal([
        'xstate.after.saga.stepTimeout.authorizePayment.order.authorizePayment.attempting',
      ]);
    });
  });
});
