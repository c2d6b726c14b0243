import { expect } from 'chai';
import {
  compensationOf,
  simulateSaga,
  stepPaths,
} from '../../../orchestrator/engine/testing/index.js';
import { assertArmedTimersConsistent } from '../sagas/order-fixtures.js';
import { tripSaga } from './trip-saga.js';

const input = { tripId: 'trip-1' };
const start = () => simulateSaga(tripSaga, input);
const finish = (sim: ReturnType<typeof start>) => {
  while (sim.status === 'running') sim.succeedCompensation();
};

describe('engine: a saga with two steps in parallel', () => {
  it('sends both commands at once and waits for both regions before charging', () => {
    const sim = start();
    expect(sim.state).to.equal('booking.hotel.attempting,booking.flight.attempting');
    expect(sim.commands().map((c) => c.command)).to.deep.equal(['BookRoom', 'BookSeat']);
    expect(sim.record.timers.map((t) => t.timerId)).to.deep.equal([
      'xstate.after.saga.stepTimeout.bookHotel.trip.booking.hotel.attempting',
      'xstate.after.saga.stepTimeout.bookFlight.trip.booking.flight.attempting',
    ]);
    sim.succeed('bookFlight', { seatId: 'seat-9' });
    expect(sim.state).to.equal('booking.hotel.attempting,booking.flight.done');
    sim.succeed('bookHotel', { roomId: 'room-7' });
    expect(sim.state).to.equal('charge.attempting');
    expect(sim.commands().at(-1)?.payload).to.deep.equal({
      tripId: 'trip-1',
      roomId: 'room-7',
      seatId: 'seat-9',
    });
    sim.succeed('charge');
    expect(sim.status).to.equal('completed');
    assertArmedTimersConsistent(sim);
  });

  it('a refusal in one region undoes the other region once it completed', () => {
    const sim = start();
    sim.succeed('bookHotel', { roomId: 'room-7' });
    sim.fail('bookFlight', { code: 'NO_SEATS' });
    expect(sim.pending.map((c) => `${c.kind}:${c.step}`)).to.deep.equal(['compensation:bookHotel']);
    expect(sim.commands('compensation')[0]?.payload).to.deep.equal({
      tripId: 'trip-1',
      roomId: 'room-7',
    });
    finish(sim);
    expect(sim.status).to.equal('compensated');
    expect(sim.compensationsSent()).to.deep.equal(['hotels.CancelRoom']);
  });

  it('a refusal in one region undoes the other region still in flight (unknown), and its late reply is ignored', () => {
    const sim = start();
    const hotel = sim.pendingCommand('bookHotel');
    sim.fail('bookFlight', { code: 'NO_SEATS' });
    expect(sim.record.timers.some((t) => t.timerId.includes('booking.hotel'))).to.equal(false);
    expect(sim.compensationsSent()).to.deep.equal(['hotels.CancelRoom']);
    expect(sim.commands('compensation')[0]?.payload).to.deep.equal({ tripId: 'trip-1' });
    const late = sim.reply({
      commandId: hotel.commandId,
      sagaId: 'saga-1',
      type: 'BookRoom',
      outcome: 'success',
      payload: { roomId: 'room-7' },
    });
    expect(late).to.deep.include({ outcome: 'ignored', reason: 'not-pending' });
    finish(sim);
    expect(sim.status).to.equal('compensated');
  });

  it('a failure after both regions undoes them in reverse order of completion', () => {
    for (const [first, second] of [
      ['bookHotel', 'bookFlight'],
      ['bookFlight', 'bookHotel'],
    ] as const) {
      const sim = start();
      sim.succeed(first);
      sim.succeed(second);
      sim.fail('charge', { code: 'CARD_DECLINED' });
      finish(sim);
      expect(sim.compensationsSent()).to.deep.equal([
        compensationOf(tripSaga, second),
        compensationOf(tripSaga, first),
      ]);
    }
  });

  it('cancel with both in flight undoes both and ends cancelled', () => {
    const sim = start();
    sim.signal({ type: 'saga.cancel' });
    finish(sim);
    expect(sim.status).to.equal('cancelled');
    expect(sim.compensationsSent()).to.have.members(['hotels.CancelRoom', 'flights.CancelSeat']);
    expect(sim.compensationsSent()).to.have.length(2);
  });

  it('one region retries on its own clock while the other completes', () => {
    const sim = start();
    sim.succeed('bookFlight', { seatId: 'seat-9' });
    sim.advance(5_000); // the hotel's deadline
    expect(sim.state).to.equal('booking.hotel.retrying,booking.flight.done');
    expect(sim.lifecycleNames().at(-1)).to.equal('StepTimedOut');
    sim.advance(1_000); // backoff (no jitter)
    expect(sim.pendingCommand('bookHotel').attempt).to.equal(2);
    sim.succeed('bookHotel', { roomId: 'room-7' });
    expect(sim.state).to.equal('charge.attempting');
    assertArmedTimersConsistent(sim);
  });

  describe('every in-flight state from the graph', () => {
    const paths = stepPaths(tripSaga, input);
    it('covers both regions and the step after them', () => {
      expect(new Set(paths.map((p) => p.step))).to.deep.equal(
        new Set(['bookHotel', 'bookFlight', 'charge']),
      );
    });
    for (const path of paths) {
      it(`${path.step} refused (${path.description}): undoes the completed and the still-running steps`, () => {
        const sim = start();
        path.replay(sim);
        sim.fail(path.step, { code: 'REFUSED' });
        finish(sim);
        const expected = [...path.succeeded, ...path.alsoInFlight]
          .map((step) => compensationOf(tripSaga, step))
          .filter((c) => c !== null)
          .reverse();
        expect(sim.compensationsSent()).to.deep.equal(expected);
        expect(sim.status).to.equal('compensated');
      });
    }
  });
});
