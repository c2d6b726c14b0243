import { expect } from 'chai';
import { STEP_TIMEOUT_MS } from '../../../sagas/order/index.js';
import { successReply } from '../../../orchestrator/engine/testing/index.js';
import { orderAt, simulateOrder } from './order-fixtures.js';

describe('order saga: duplicates, late replies and stray timers change nothing', () => {
  it('a duplicate success reply is ignored and writes nothing', () => {
    const sim = simulateOrder();
    const command = sim.pendingCommand('reserveInventory');
    sim.succeed('reserveInventory', { reservationId: 'res-1' });
    const before = JSON.stringify(sim.record);
    const again = sim.reply(successReply(command, 'saga-1', { reservationId: 'res-1' }));
    expect(again).to.deep.equal({
      outcome: 'ignored',
      reason: 'not-pending',
      detail: 'no pending command saga-1.reserveInventory.1',
    });
    expect(JSON.stringify(sim.record)).to.equal(before);
  });

  it('a reply that arrives during the backoff after its deadline is ignored', () => {
    const sim = orderAt('authorizePayment');
    const first = sim.pendingCommand('authorizePayment');
    sim.advance(STEP_TIMEOUT_MS);
    expect(sim.state).to.equal('authorizePayment.retrying');
    expect(sim.reply(successReply(first, 'saga-1'))).to.deep.include({
      outcome: 'ignored',
      reason: 'not-pending',
    });
    expect(sim.state).to.equal('authorizePayment.retrying');
  });

  it('a reply that names another saga, or answers with another type, is ignored', () => {
    const sim = simulateOrder();
    const command = sim.pendingCommand('reserveInventory');
    expect(sim.reply(successReply(command, 'saga-2'))).to.deep.include({
      outcome: 'ignored',
      reason: 'not-pending',
    });
    expect(sim.reply({ ...successReply(command, 'saga-1'), type: 'ReleaseItems' })).to.deep.include(
      {
        outcome: 'ignored',
        reason: 'not-pending',
      },
    );
    expect(sim.state).to.equal('reserveInventory.attempting');
  });

  it('replies to a finished saga are ignored as saga-ended', () => {
    const sim = orderAt('confirmOrder');
    const command = sim.pendingCommand('confirmOrder');
    sim.succeed('confirmOrder');
    expect(sim.reply(successReply(command, 'saga-1'))).to.deep.include({
      outcome: 'ignored',
      reason: 'saga-ended',
    });
    expect(sim.signal({ type: 'saga.cancel' })).to.deep.include({ reason: 'saga-ended' });
  });

  it('an unknown timer, and the deadline of a step already left, are dropped', () => {
    const sim = simulateOrder();
    const deadline = sim.record.timers[0];
    expect(deadline?.timerId).to.equal(
      'xstate.after.saga.stepTimeout.reserveInventory.order.reserveInventory.attempting',
    );
    expect(sim.fireTimer('nonsense')).to.deep.include({
      outcome: 'ignored',
      reason: 'timer-not-armed',
    });
    sim.succeed('reserveInventory');
    expect(sim.fireTimer(deadline?.timerId ?? '')).to.deep.include({
      outcome: 'ignored',
      reason: 'timer-not-armed',
    });
    expect(sim.state).to.equal('authorizePayment.attempting');
  });

  it('a stale firing of a re-armed deadline is dropped by its dueAt', () => {
    const sim = orderAt('authorizePayment');
    const firstDeadline = sim.record.timers[0];
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer(); // backoff → attempt 2 re-arms the same timer id
    const rearmed = sim.record.timers[0];
    expect(rearmed?.timerId).to.equal(firstDeadline?.timerId);
    expect(rearmed?.dueAt).to.be.greaterThan(firstDeadline?.dueAt ?? Infinity);
    const stale = sim.fireTimer(firstDeadline?.timerId ?? '', firstDeadline?.dueAt);
    expect(stale).to.deep.include({ outcome: 'ignored', reason: 'timer-not-armed' });
    expect(sim.pendingCommand('authorizePayment').attempt).to.equal(2);
  });

  it('signals that only the engine may produce are refused', () => {
    const sim = simulateOrder();
    for (const type of [
      'step.reserveInventory.succeeded',
      'compensation.succeeded',
      'xstate.after.saga.stepTimeout.reserveInventory.order.reserveInventory.attempting',
    ]) {
      expect(sim.signal({ type })).to.deep.include({
        outcome: 'ignored',
        reason: 'event-not-accepted',
      });
    }
    expect(sim.state).to.equal('reserveInventory.attempting');
    expect(sim.signal({ type: 'order.unknown' })).to.deep.include({
      reason: 'event-not-accepted',
      detail: 'order.unknown is not accepted in reserveInventory.attempting',
    });
  });
});
