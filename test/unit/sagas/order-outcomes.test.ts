import { expect } from 'chai';
import type { CommandEffect } from '../../../orchestrator/engine/index.js';
import {
  assertArmedTimersConsistent,
  orderAt,
  release,
  simulateOrder,
  smallOrder,
  voidAuthorization,
} from './order-fixtures.js';

describe('order saga: success and refusals', () => {
  it('completes: reserve → authorize → confirm, with the ids from earlier replies', () => {
    const sim = simulateOrder();
    expect(sim.state).to.equal('reserveInventory.attempting');
    sim.succeed('reserveInventory', { reservationId: 'res-1' });
    expect(sim.state).to.equal('authorizePayment.attempting');
    sim.succeed('authorizePayment', { authorizationId: 'auth-1' });
    expect(sim.state).to.equal('confirmOrder.attempting');
    sim.succeed('confirmOrder');

    expect(sim.status).to.equal('completed');
    expect(sim.state).to.equal('completed');
    expect(sim.pending).to.deep.equal([]);
    expect(sim.record.timers).to.deep.equal([]);
    expect(sim.commands().map((c) => `${c.participant}.${c.command}`)).to.deep.equal([
      'inventory.ReserveItems',
      'payment.AuthorizePayment',
      'shipping.ConfirmOrder',
    ]);
    const confirm = sim.commands().at(-1);
    expect(confirm?.payload).to.deep.equal({
      orderId: 'order-1',
      customerId: 'customer-1',
      items: smallOrder.items,
      reservationId: 'res-1',
      authorizationId: 'auth-1',
    });
    expect(sim.lifecycleNames()).to.deep.equal([
      'SagaStarted',
      'StepStarted',
      'StepSucceeded',
      'StepStarted',
      'StepSucceeded',
      'StepStarted',
      'StepSucceeded',
      'SagaCompleted',
    ]);
    expect(sim.record.revision).to.equal(4);
    assertArmedTimersConsistent(sim);
  });

  it('sends each command with a derived id, attempt 1 and expiresAt = issuedAt + deadline', () => {
    const sim = orderAt('confirmOrder');
    const ids = sim.commands().map((c) => c.commandId);
    expect(ids).to.deep.equal([
      'saga-1.reserveInventory.1',
      'saga-1.authorizePayment.1',
      'saga-1.confirmOrder.1',
    ]);
    for (const command of sim.commands()) {
      expect(command).to.include({ sagaId: 'saga-1', sagaType: 'order', attempt: 1 });
      expect(command.expiresAt - command.issuedAt).to.equal(10_000);
    }
  });

  it('a refusal of the first step ends compensated with nothing to undo', () => {
    const sim = simulateOrder();
    sim.fail('reserveInventory', { code: 'OUT_OF_STOCK', message: 'sku-a: 0 left' });
    expect(sim.status).to.equal('compensated');
    expect(sim.compensationsSent()).to.deep.equal([]);
    const done = sim.lifecycle().at(-1);
    expect(done?.event).to.equal('SagaCompensated');
    expect(done?.data.failure).to.deep.equal({
      step: 'reserveInventory',
      code: 'OUT_OF_STOCK',
      message: 'sku-a: 0 left',
    });
  });

  it('a refusal of the payment releases the reservation by its id', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'INSUFFICIENT_CREDIT' });
    expect(sim.state).to.equal('compensating.running');
    expect(sim.compensationsSent()).to.deep.equal([release]);
    const compensation = sim.commands('compensation')[0] as CommandEffect;
    expect(compensation.commandId).to.equal('saga-1.reserveInventory.compensate.1');
    expect(compensation.payload).to.deep.equal({
      orderId: 'order-1',
      items: smallOrder.items,
      reservationId: 'res-1',
    });
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
    expect(sim.context.compensated).to.deep.equal(['reserveInventory']);
  });

  it('a refusal to confirm voids the payment, then releases the items, in that order', () => {
    const sim = orderAt('confirmOrder');
    sim.fail('confirmOrder', { code: 'ADDRESS_UNDELIVERABLE' });
    expect(sim.compensationsSent()).to.deep.equal([voidAuthorization]);
    expect(sim.commands('compensation')[0]?.payload).to.deep.equal({
      orderId: 'order-1',
      customerId: 'customer-1',
      amount: 120.5,
      currency: 'EUR',
      authorizationId: 'auth-1',
    });
    sim.succeedCompensation();
    expect(sim.compensationsSent()).to.deep.equal([voidAuthorization, release]);
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
    expect(sim.lifecycleNames().slice(-5)).to.deep.equal([
      'CompensationStarted',
      'CompensationSucceeded',
      'CompensationStarted',
      'CompensationSucceeded',
      'SagaCompensated',
    ]);
    assertArmedTimersConsistent(sim);
  });

  it('writes history an operator can read', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'INSUFFICIENT_CREDIT' });
    const lines = sim.history.map((h) => h.summary);
    expect(lines).to.include('order v1 started in reserveInventory.attempting');
    expect(lines).to.include('reserveInventory: ReserveItems → inventory (attempt 1)');
    expect(lines).to.include(
      'authorizePayment: AuthorizePayment failed: INSUFFICIENT_CREDIT (not retryable) (attempt 1)',
    );
    expect(lines).to.include(
      'reserveInventory: compensate with ReleaseItems → inventory (attempt 1)',
    );
    expect(lines).to.include('authorizePayment.attempting → compensating.running (running)');
    for (const entry of sim.history) expect(entry.at).to.equal(sim.now);
  });
});
