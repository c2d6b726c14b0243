import { expect } from 'chai';
import { backoffDelay } from '../../../orchestrator/engine/index.js';
import { STEP_TIMEOUT_MS } from '../../../sagas/order/index.js';
import {
  assertArmedTimersConsistent,
  cancelShipment,
  orderAt,
  release,
  voidAuthorization,
} from './order-fixtures.js';

const steps = ['reserveInventory', 'authorizePayment', 'confirmOrder'] as const;

/** What each step's exhausted deadlines compensate: the step itself (unknown outcome), then the rest. */
const afterTimeouts: Record<(typeof steps)[number], string[]> = {
  reserveInventory: [release],
  authorizePayment: [voidAuthorization, release],
  // Shipping may confirm after the last deadline: cancel the shipment first (a regression test
  // for the refunded order that still shipped).
  confirmOrder: [cancelShipment, voidAuthorization, release],
};

describe('order saga: deadlines and retries', () => {
  for (const step of steps) {
    it(`${step}: three deadlines pass → the outcome is unknown → it is compensated too`, () => {
      const sim = orderAt(step);
      const before = sim.commands().length - 1; // the first attempt is already out
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect(sim.pendingCommand(step).attempt).to.equal(attempt);
        sim.advance(STEP_TIMEOUT_MS); // the deadline
        if (attempt < 3) {
          expect(sim.state).to.equal(`${step}.retrying`);
          expect(sim.pending).to.deep.equal([]);
          sim.advanceToNextTimer(); // the backoff
        }
      }
      // Each retry after a deadline re-sends the unanswered command under its id (issue 12):
      // the participant answers a command it handled from its ledger instead of acting again.
      const sent = sim.commands().slice(before, before + 3);
      expect(sent.map((c) => [c.commandId, c.attempt])).to.deep.equal([
        [`saga-1.${step}.1`, 1],
        [`saga-1.${step}.1`, 2],
        [`saga-1.${step}.1`, 3],
      ]);
      expect(sim.lifecycleNames().filter((n) => n === 'StepTimedOut')).to.have.length(3);
      expect(sim.compensationsSent()).to.deep.equal(afterTimeouts[step].slice(0, 1));
      while (sim.status === 'running') sim.succeedCompensation();
      expect(sim.status).to.equal('compensated');
      expect(sim.compensationsSent()).to.deep.equal(afterTimeouts[step]);
      expect((sim.context.failure as { code: string }).code).to.equal('STEP_TIMED_OUT');
      assertArmedTimersConsistent(sim);
    });
  }

  it('a compensation for an unknown reservation carries orderId and items, no reservation id', () => {
    const sim = orderAt('reserveInventory');
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer();
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer();
    sim.advance(STEP_TIMEOUT_MS);
    expect(sim.commands('compensation')[0]?.payload).to.deep.equal({
      orderId: 'order-1',
      items: [
        { sku: 'sku-a', quantity: 2 },
        { sku: 'sku-b', quantity: 1 },
      ],
    });
  });

  it('a confirm whose deadlines all passed is cancelled by order id (there is no shipment id)', () => {
    const sim = orderAt('confirmOrder');
    for (let attempt = 1; attempt <= 3; attempt++) {
      sim.advance(STEP_TIMEOUT_MS);
      if (attempt < 3) sim.advanceToNextTimer();
    }
    const [cancel] = sim.commands('compensation');
    expect(cancel).to.include({
      commandId: 'saga-1.confirmOrder.compensate.1',
      participant: 'shipping',
      command: 'CancelShipment',
    });
    expect(cancel?.payload).to.deep.equal({ orderId: 'order-1' });
  });

  it('retries a retryable failure after a deterministic backoff, then goes on', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    expect(sim.state).to.equal('authorizePayment.retrying');
    const backoff = sim.record.timers[0];
    const expected = backoffDelay(
      { initialDelayMs: 500, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 },
      1,
      'saga-1:authorizePayment:1',
    );
    expect(backoff?.dueAt).to.equal(sim.now + expected);
    expect(expected).to.be.within(400, 500);

    sim.advance(expected - 1);
    expect(sim.state).to.equal('authorizePayment.retrying');
    sim.advance(1);
    expect(sim.pendingCommand('authorizePayment')).to.include({
      commandId: 'saga-1.authorizePayment.2',
      attempt: 2,
    });
    sim.succeed('authorizePayment', { authorizationId: 'auth-2' });
    expect(sim.state).to.equal('confirmOrder.attempting');
    expect(sim.compensationsSent()).to.deep.equal([]);
  });

  it('backs off longer on each retry, and a refusal after retries compensates only earlier steps', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    const first = (sim.record.timers[0]?.dueAt ?? 0) - sim.now;
    sim.advanceToNextTimer();
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    const second = (sim.record.timers[0]?.dueAt ?? 0) - sim.now;
    expect(second).to.be.greaterThan(first);
    sim.advanceToNextTimer();
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    expect(sim.compensationsSent()).to.deep.equal([release]);
  });

  it('retryable failures until attempts run out leave the outcome unknown: the step is undone too', () => {
    const sim = orderAt('authorizePayment');
    for (let attempt = 1; attempt <= 3; attempt++) {
      sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
      if (attempt < 3) sim.advanceToNextTimer();
    }
    expect(sim.state).to.equal('compensating.running');
    expect(sim.compensationsSent()).to.deep.equal([voidAuthorization]);
  });

  it('a refusal after an attempt timed out undoes the step too (the first attempt may have acted)', () => {
    const sim = orderAt('reserveInventory');
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer();
    sim.fail('reserveInventory', { code: 'OUT_OF_STOCK' });
    expect(sim.compensationsSent()).to.deep.equal([release]);
  });

  it('ignores a reply that comes while no attempt waits (the backoff after a deadline)', () => {
    const sim = orderAt('authorizePayment');
    const first = sim.pendingCommand('authorizePayment');
    sim.advance(STEP_TIMEOUT_MS);
    expect(sim.state).to.equal('authorizePayment.retrying');
    const revision = sim.record.revision;
    const late = sim.reply({
      commandId: first.commandId,
      sagaId: 'saga-1',
      type: 'AuthorizePayment',
      outcome: 'success',
      payload: { authorizationId: 'late' },
    });
    expect(late).to.deep.include({ outcome: 'ignored', reason: 'not-pending' });
    expect(sim.record.revision).to.equal(revision);
  });

  it('after a deadline re-sends the same command: its answer, however late, is the step’s', () => {
    const sim = orderAt('authorizePayment');
    const first = sim.pendingCommand('authorizePayment');
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer();
    const resent = sim.pendingCommand('authorizePayment');
    expect(resent).to.deep.include({ commandId: first.commandId, attempt: 2 });
    // The participant's answer to the first send (or its ledger's to the re-send: the same).
    const answer = sim.reply({
      commandId: first.commandId,
      sagaId: 'saga-1',
      type: 'AuthorizePayment',
      outcome: 'success',
      payload: { authorizationId: 'auth-1' },
    });
    expect(answer).to.deep.include({ outcome: 'applied' });
    expect(sim.state).to.equal('confirmOrder.attempting');
    expect(sim.commands().at(-1)?.payload.authorizationId).to.equal('auth-1');
  });

  it('after a failure reply sends a new command: a late reply of the failed one is ignored', () => {
    const sim = orderAt('authorizePayment');
    const first = sim.pendingCommand('authorizePayment');
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    sim.advanceToNextTimer();
    const retry = sim.pendingCommand('authorizePayment');
    expect(retry).to.deep.include({ commandId: 'saga-1.authorizePayment.2', attempt: 2 });
    const duplicate = sim.reply({
      commandId: first.commandId,
      sagaId: 'saga-1',
      type: 'AuthorizePayment',
      outcome: 'success',
      payload: { authorizationId: 'stale' },
    });
    expect(duplicate).to.deep.include({ outcome: 'ignored', reason: 'not-pending' });
    sim.succeed('authorizePayment', { authorizationId: 'auth-2' });
    expect(sim.commands().at(-1)?.payload.authorizationId).to.equal('auth-2');
  });

  it('a compensation is asked again under its id after its deadline, anew after a failure', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'DECLINED' });
    const compensation = () => sim.pending.find((p) => p.kind === 'compensation');
    expect(compensation()).to.deep.include({
      commandId: 'saga-1.reserveInventory.compensate.1',
      attempt: 1,
    });
    sim.advanceToNextTimer(); // its deadline
    sim.advanceToNextTimer(); // the backoff
    expect(compensation()).to.deep.include({
      commandId: 'saga-1.reserveInventory.compensate.1',
      attempt: 2,
    });
    sim.failCompensation({ code: 'LEDGER_DOWN', retryable: true });
    sim.advanceToNextTimer(); // the backoff
    expect(compensation()).to.deep.include({
      commandId: 'saga-1.reserveInventory.compensate.3',
      attempt: 3,
    });
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
  });

  it('a deadline after a failure re-sends the failure’s successor, not the failed command', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'GATEWAY_UNAVAILABLE', retryable: true });
    sim.advanceToNextTimer();
    sim.advance(STEP_TIMEOUT_MS);
    sim.advanceToNextTimer();
    expect(sim.pendingCommand('authorizePayment')).to.deep.include({
      commandId: 'saga-1.authorizePayment.2',
      attempt: 3,
    });
  });
});
