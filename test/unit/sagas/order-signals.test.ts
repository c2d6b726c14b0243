import { expect } from 'chai';
import { APPROVAL_TIMEOUT_MS } from '../../../sagas/order/index.js';
import {
  assertArmedTimersConsistent,
  cancelShipment,
  largeOrder,
  orderAt,
  release,
  voidAuthorization,
} from './order-fixtures.js';

describe('order saga: cancel', () => {
  const cases = [
    // A command in flight may have acted: its step is undone too, last first.
    ['reserveInventory', [release]],
    ['authorizePayment', [voidAuthorization, release]],
    // A confirm in flight may still book a shipment: it is cancelled first.
    ['confirmOrder', [cancelShipment, voidAuthorization, release]],
  ] as const;
  for (const [step, compensations] of cases) {
    it(`during ${step} runs ${compensations.length} compensation(s) and ends cancelled`, () => {
      const sim = orderAt(step);
      const inFlight = sim.pendingCommand(step);
      sim.signal({ type: 'saga.cancel', reason: 'customer changed their mind' });
      expect(sim.pending.map((c) => c.kind)).to.deep.equal(['compensation']);
      while (sim.status === 'running') sim.succeedCompensation();
      expect(sim.status).to.equal('cancelled');
      expect(sim.compensationsSent()).to.deep.equal(compensations);
      expect(sim.lifecycleNames().at(-1)).to.equal('SagaCancelled');
      expect(sim.context.failure).to.deep.equal({
        code: 'CANCELLED',
        message: 'customer changed their mind',
      });
      // The cancelled step's reply arrives late: nothing moves.
      const late = sim.reply({
        commandId: inFlight.commandId,
        sagaId: 'saga-1',
        type: inFlight.command,
        outcome: 'success',
      });
      expect(late).to.deep.include({ outcome: 'ignored', reason: 'saga-ended' });
      assertArmedTimersConsistent(sim);
    });
  }

  it('during a backoff after a retryable failure, undoes that step too', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    sim.signal({ type: 'saga.cancel' });
    expect(sim.record.timers.map((t) => t.timerId)).to.not.include(
      'xstate.after.saga.retryBackoff.order.authorizePayment.retrying',
    );
    expect(sim.compensationsSent()).to.deep.equal([voidAuthorization]);
  });

  it('is not accepted once compensating', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    const result = sim.signal({ type: 'saga.cancel' });
    expect(result).to.deep.include({ outcome: 'ignored', reason: 'event-not-accepted' });
  });

  it('during the first step’s backoff undoes that step and ends cancelled', () => {
    const sim = orderAt('reserveInventory');
    sim.fail('reserveInventory', { code: 'BUSY', retryable: true });
    sim.signal({ type: 'saga.cancel' });
    expect(sim.compensationsSent()).to.deep.equal([release]);
    sim.succeedCompensation();
    expect(sim.status).to.equal('cancelled');
  });
});

describe('order saga: approval of large orders', () => {
  function atApproval() {
    const sim = orderAt('authorizePayment', largeOrder);
    sim.succeed('authorizePayment', { authorizationId: 'auth-1' });
    return sim;
  }

  it('a small order does not wait', () => {
    const sim = orderAt('authorizePayment');
    sim.succeed('authorizePayment');
    expect(sim.state).to.equal('confirmOrder.attempting');
    expect(sim.signal({ type: 'order.approve' })).to.deep.include({
      outcome: 'ignored',
      reason: 'event-not-accepted',
    });
  });

  it('waits for order.approve, announcing it with a lifecycle event', () => {
    const sim = atApproval();
    expect(sim.state).to.equal('awaitingApproval');
    expect(sim.pending).to.deep.equal([]);
    const requested = sim.lifecycle().find((e) => e.event === 'ApprovalRequested');
    expect(requested?.data).to.deep.equal({
      orderId: 'order-1',
      amount: largeOrder.amount,
      currency: 'EUR',
    });
    sim.signal({ type: 'order.approve', approvedBy: 'ops' });
    expect(sim.state).to.equal('confirmOrder.attempting');
    sim.succeed('confirmOrder');
    expect(sim.status).to.equal('completed');
    expect(sim.history.some((h) => h.summary === 'signal order.approve')).to.equal(true);
    assertArmedTimersConsistent(sim);
  });

  it('order.reject compensates payment and stock', () => {
    const sim = atApproval();
    sim.signal({ type: 'order.reject', reason: 'fraud check' });
    sim.succeedCompensation();
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
    expect(sim.compensationsSent()).to.deep.equal([voidAuthorization, release]);
    expect(sim.context.failure).to.deep.equal({
      code: 'APPROVAL_REJECTED',
      message: 'fraud check',
    });
  });

  it('no decision before the deadline counts as a rejection', () => {
    const sim = atApproval();
    sim.advance(APPROVAL_TIMEOUT_MS - 1);
    expect(sim.state).to.equal('awaitingApproval');
    sim.advance(1);
    expect(sim.state).to.equal('compensating.running');
    sim.succeedCompensation();
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
    expect((sim.context.failure as { code: string }).code).to.equal('APPROVAL_TIMED_OUT');
  });

  it('can be cancelled while it waits', () => {
    const sim = atApproval();
    sim.signal({ type: 'saga.cancel' });
    expect(sim.record.timers.some((t) => t.timerId.includes('awaitingApproval'))).to.equal(false);
    sim.succeedCompensation();
    sim.succeedCompensation();
    expect(sim.status).to.equal('cancelled');
  });
});
