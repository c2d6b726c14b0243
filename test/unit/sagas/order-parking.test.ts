import { expect } from 'chai';
import {
  assertArmedTimersConsistent,
  orderAt,
  release,
  voidAuthorization,
} from './order-fixtures.js';

describe('order saga: compensations that fail park the saga', () => {
  it('retries a failing compensation with backoff, parks after its attempts, resumes on saga.retry', () => {
    const sim = orderAt('confirmOrder');
    sim.fail('confirmOrder', { code: 'ADDRESS_UNDELIVERABLE' });
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(sim.pendingCompensation()).to.include({
        step: 'authorizePayment',
        attempt,
        commandId: `saga-1.authorizePayment.compensate.${attempt}`,
      });
      sim.failCompensation({ code: 'PAYMENT_DOWN', retryable: true });
      if (attempt < 5) {
        expect(sim.state).to.equal('compensating.retrying');
        sim.advanceToNextTimer();
      }
    }
    expect(sim.status).to.equal('parked');
    expect(sim.state).to.equal('parked');
    expect(sim.pending).to.deep.equal([]);
    expect(sim.record.timers).to.deep.equal([]);
    const parked = sim.lifecycle().at(-1);
    expect(parked?.event).to.equal('SagaParked');
    expect(parked?.data).to.deep.include({
      step: 'authorizePayment',
      command: 'VoidAuthorization',
    });
    expect((parked?.data.error as { code: string }).code).to.equal('PAYMENT_DOWN');

    // Nothing moves a parked saga but saga.retry.
    expect(sim.signal({ type: 'saga.cancel' })).to.deep.include({
      outcome: 'ignored',
      reason: 'event-not-accepted',
    });
    expect(sim.advance(3_600_000)).to.deep.equal([]);

    sim.signal({ type: 'saga.retry' });
    expect(sim.status).to.equal('running');
    expect(sim.lifecycleNames().at(-2)).to.equal('CompensationStarted');
    expect(sim.lifecycleNames().at(-1)).to.equal('SagaResumed');
    // The same compensation again, as a new command (attempt ids are never reused).
    expect(sim.pendingCompensation()).to.include({
      step: 'authorizePayment',
      attempt: 6,
      commandId: 'saga-1.authorizePayment.compensate.6',
    });
    sim.succeedCompensation();
    sim.succeedCompensation();
    expect(sim.status).to.equal('compensated');
    expect(sim.compensationsSent().filter((c) => c === voidAuthorization)).to.have.length(6);
    expect(sim.compensationsSent().at(-1)).to.equal(release);
    assertArmedTimersConsistent(sim);
  });

  it('parks at once when a compensation is refused as not retryable', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    sim.failCompensation({ code: 'RESERVATION_UNKNOWN', retryable: false });
    expect(sim.status).to.equal('parked');
    sim.signal({ type: 'saga.retry' });
    expect(sim.pendingCompensation().attempt).to.equal(2);
  });

  it('parks when a compensation keeps timing out, then a second round can park again', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    for (let attempt = 1; attempt <= 5; attempt++) {
      sim.advanceToNextTimer(); // the compensation's deadline
      if (attempt < 5) sim.advanceToNextTimer(); // its backoff
    }
    expect(sim.status).to.equal('parked');
    expect(sim.lifecycleNames().filter((n) => n === 'CompensationTimedOut')).to.have.length(5);
    sim.signal({ type: 'saga.retry' });
    for (let attempt = 6; attempt <= 10; attempt++) {
      sim.failCompensation({ code: 'STILL_DOWN', retryable: true });
      if (attempt < 10) sim.advanceToNextTimer();
    }
    expect(sim.status).to.equal('parked');
    expect(sim.commands('compensation')).to.have.length(10);
  });

  it('a late success of a timed-out compensation is ignored; the retry is what counts', () => {
    const sim = orderAt('authorizePayment');
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    const first = sim.pendingCompensation();
    sim.advanceToNextTimer();
    const late = sim.reply({
      commandId: first.commandId,
      sagaId: 'saga-1',
      type: first.command,
      outcome: 'success',
    });
    expect(late).to.deep.include({ outcome: 'ignored', reason: 'not-pending' });
    expect(sim.state).to.equal('compensating.retrying');
  });
});
