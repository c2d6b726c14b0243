/**
 * The saga-level deadline (`kit.deadline`) through the real engine and a fake clock, on the trip
 * and signal-wait shapes of the conformance catalogue (test/support/shapes).
 */
import { expect } from 'chai';
import {
  SAGA_DEADLINE_CODE,
  createSagaKit,
  describeDefinition,
  sagaDeadlineEventType,
} from '../../../orchestrator/engine/index.js';
import {
  compensationOf,
  simulateSaga,
  stepPaths,
} from '../../../orchestrator/engine/testing/index.js';
import { checkDefinition } from '../../../orchestrator/engine/lint/index.js';
import type { ShapeInput } from '../../support/shapes/common.js';
import { forkJoinSaga } from '../../support/shapes/fork-join/index.js';
import { optionalStepsSaga } from '../../support/shapes/optional-steps/index.js';
import { parallelTimeoutsSaga } from '../../support/shapes/parallel-timeouts/index.js';
import { regionRetrySaga } from '../../support/shapes/region-retry/index.js';
import {
  APPROVAL_TIMED_OUT,
  APPROVE_SIGNAL,
  signalWaitSaga,
} from '../../support/shapes/signal-wait/index.js';
import { TRIP_DEADLINE_MS, tripSaga } from '../../support/shapes/trip/index.js';
import { assertArmedTimersConsistent } from '../sagas/order-fixtures.js';

const otherShapes = [forkJoinSaga, optionalStepsSaga, parallelTimeoutsSaga, regionRetrySaga];
const TRIP_TIMER = sagaDeadlineEventType('trip');
const finish = (sim: ReturnType<typeof simulateSaga>) => {
  while (sim.status === 'running') sim.succeedCompensation();
};
const failureOf = (sim: ReturnType<typeof simulateSaga>) =>
  (sim.context.failure as { code?: string; message?: string } | undefined) ?? {};

describe('engine: the saga-level deadline (kit.deadline)', () => {
  it('arms one named timer on entry and cancels it when the wrapped state is done', () => {
    const sim = simulateSaga(tripSaga, { ref: 'trip-1' });
    const timer = sim.record.timers.find((t) => t.timerId === TRIP_TIMER);
    expect(timer?.dueAt).to.equal(sim.now + TRIP_DEADLINE_MS);
    sim.succeed('bookHotel', { roomId: 'room-7' });
    sim.succeed('bookFlight', { seatId: 'seat-9' });
    expect(sim.state).to.equal('booking.charging.attempting');
    expect(sim.record.timers.map((t) => t.timerId)).to.include(TRIP_TIMER);
    sim.succeed('charge', { chargeId: 'ch-1' });
    expect(sim.status).to.equal('completed');
    expect(sim.record.timers).to.deep.equal([]);
    assertArmedTimersConsistent(sim);
  });

  it('when it passes, records SAGA_DEADLINE and undoes what was done, the step in flight first', () => {
    const sim = simulateSaga(tripSaga, { ref: 'trip-1', deadlineMs: 3_000 });
    sim.succeed('bookHotel', { roomId: 'room-7' });
    sim.advance(2_999);
    expect(sim.status).to.equal('running');
    sim.advance(1);
    expect(sim.state).to.match(/^compensating\./);
    expect(failureOf(sim)).to.deep.equal({
      code: SAGA_DEADLINE_CODE,
      message: 'deadline "trip" passed (3000 ms)',
    });
    // The flight's command was in flight (outcome unknown): undone first, then the hotel.
    finish(sim);
    expect(sim.status).to.equal('compensated');
    expect(sim.compensationsSent()).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
    expect(sim.commands('compensation').map((c) => c.payload)).to.deep.equal([
      { ref: 'trip-1' },
      { ref: 'trip-1', roomId: 'room-7' },
    ]);
    assertArmedTimersConsistent(sim);
  });

  it('passing during the last step undoes that step too', () => {
    const sim = simulateSaga(tripSaga, { ref: 'trip-1', deadlineMs: 3_000 });
    sim.succeed('bookFlight', { seatId: 'seat-9' });
    sim.succeed('bookHotel', { roomId: 'room-7' });
    sim.advance(3_000);
    finish(sim);
    expect(sim.compensationsSent()).to.deep.equal([
      'payment.Refund',
      'hotels.CancelRoom',
      'flights.CancelSeat',
    ]);
  });

  it('keeps its timer id whatever its length (a waiting saga still sees it fire)', () => {
    const short = simulateSaga(tripSaga, { ref: 'a', deadlineMs: 1_000 });
    const long = simulateSaga(tripSaga, { ref: 'b', deadlineMs: 9_000 });
    const ids = (sim: typeof short) => sim.record.timers.map((t) => t.timerId).sort();
    expect(ids(short)).to.deep.equal(ids(long));
    expect(ids(short)).to.include(TRIP_TIMER);
  });

  it('cannot be forged by a signal', () => {
    const sim = simulateSaga(tripSaga, { ref: 'trip-1' });
    const result = sim.signal({ type: TRIP_TIMER });
    expect(result.outcome).to.equal('ignored');
    expect(sim.state).to.equal(
      'booking.reserving.hotel.attempting,booking.reserving.flight.attempting',
    );
  });

  it('a signal wait with its own deadline: approved in time goes on, else undoes with its code', () => {
    const approved = simulateSaga(signalWaitSaga, { ref: 'w-1', deadlineMs: 2_000 });
    approved.succeed('reserve');
    expect(approved.state).to.equal('awaitingApproval');
    approved.advance(1_999);
    approved.signal({ type: APPROVE_SIGNAL });
    expect(approved.state).to.equal('ship.attempting');
    approved.advance(10_000); // the approval timer was cancelled: nothing fires
    expect(approved.state).to.equal('ship.attempting');

    const late = simulateSaga(signalWaitSaga, { ref: 'w-2', deadlineMs: 2_000 });
    late.succeed('reserve');
    late.advance(2_000);
    expect(failureOf(late).code).to.equal(APPROVAL_TIMED_OUT);
    expect(late.signal({ type: APPROVE_SIGNAL }).outcome).to.equal('ignored');
    finish(late);
    expect(late.status).to.equal('compensated');
    expect(late.compensationsSent()).to.deep.equal(['inventory.Release']);
  });

  it('stays visible in the definition as JSON: its meta, its timer actions, its expiry', () => {
    const config = describeDefinition(tripSaga).config as {
      states: { booking: Record<string, unknown> };
    };
    const { booking } = config.states;
    expect(booking.meta).to.deep.include({
      sagaDeadline: {
        kind: 'deadline',
        name: 'trip',
        timerId: TRIP_TIMER,
        ms: null,
        onExpiry: '#compensating',
      },
    });
    expect(booking.entry).to.deep.equal([{ type: 'xstate.raise' }]);
    expect(booking.exit).to.deep.equal([{ type: 'xstate.cancel' }]);
    expect(booking.on).to.have.property(TRIP_TIMER);
  });

  it('refuses a name that is not an identifier and a length that is not positive', () => {
    const kit = createSagaKit<ShapeInput>();
    expect(() => kit.deadline({ name: 'a.b', ms: 1_000 }, {})).to.throw(/not usable/);
    expect(() => kit.deadline({ name: 'trip', ms: 0 }, {})).to.throw(/positive number/);
  });

  describe('passing in every in-flight state of the trip (from the graph)', () => {
    const paths = stepPaths(tripSaga, { ref: 'trip-1', deadlineMs: 1_000 });
    it('covers the three steps', () => {
      expect(new Set(paths.map((p) => p.step))).to.deep.equal(
        new Set(['bookHotel', 'bookFlight', 'charge']),
      );
    });
    for (const path of paths) {
      it(`${path.step} in flight (${path.description}): the steps in flight first, then the done ones, last first`, () => {
        const sim = simulateSaga(tripSaga, { ref: 'trip-1', deadlineMs: 1_000 });
        path.replay(sim);
        sim.advance(1_000);
        expect(failureOf(sim).code).to.equal(SAGA_DEADLINE_CODE);
        finish(sim);
        expect(sim.status).to.equal('compensated');
        const undo = (steps: readonly string[]) =>
          steps.map((step) => compensationOf(tripSaga, step)).filter((c) => c !== null);
        const inFlight = undo([path.step, ...path.alsoInFlight]);
        const sent = sim.compensationsSent();
        expect(sent.slice(0, inFlight.length)).to.have.members(inFlight);
        expect(sent.slice(inFlight.length)).to.deep.equal(undo(path.succeeded).reverse());
      });
    }
  });
});

describe('the conformance shapes pass the definition check', () => {
  for (const shape of [tripSaga, signalWaitSaga, ...otherShapes]) {
    it(`${shape.type}: no finding (a kit.deadline counts as a wait's deadline)`, () => {
      expect(checkDefinition(shape)).to.deep.equal([]);
    });
  }
});
