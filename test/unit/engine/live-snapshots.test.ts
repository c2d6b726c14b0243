/**
 * A saga whose last record is still in memory continues from its live XState snapshot, with no
 * restore and no copy; one loaded from the store continues from the JSON text. The two agree only
 * while the context is plain JSON and nobody changes a stored context in place, so the testing
 * kit fails a definition that breaks either.
 */
import { expect } from 'chai';
import { assign } from 'xstate';
import {
  createEngine,
  jsonTextOf,
  restoreSnapshot,
  stateString,
  type SagaDefinition,
} from '../../../orchestrator/engine/index.js';
import { simulateSaga } from '../../../orchestrator/engine/testing/index.js';
import { orderSaga } from '../../../sagas/order/index.js';
import { largeOrder } from '../sagas/order-fixtures.js';
import { tripSaga } from './trip-saga.js';

/** The trip saga with one of the kit's context updates replaced. */
function tripWith(action: 'saga.stepSucceeded', replacement: unknown): SagaDefinition {
  return {
    ...tripSaga,
    machine: tripSaga.machine.provide({ actions: { [action]: replacement } } as never),
  };
}

describe('engine: live snapshots', () => {
  it('continues a record it made from the live snapshot, and a stored copy to the same result', () => {
    const engine = createEngine([orderSaga]);
    const started = engine.start('order', { sagaId: 'o-1', input: largeOrder, now: 1_000 });
    if (started.outcome !== 'applied') throw new Error(started.message);
    const { record } = started;
    const machine = orderSaga.machine;
    const live = restoreSnapshot(machine, record.snapshot, record.id);
    expect(restoreSnapshot(machine, record.snapshot, record.id)).to.equal(live);
    expect(live.context).to.equal(record.snapshot.context); // shared, not copied

    const stored = JSON.parse(JSON.stringify(record)) as typeof record;
    const restored = restoreSnapshot(machine, stored.snapshot, stored.id);
    expect(restored).to.not.equal(live);
    expect(restored.value).to.deep.equal(live.value);

    const [pending] = record.pending;
    if (!pending) throw new Error('the order saga starts with a command');
    const reply = {
      commandId: pending.commandId,
      sagaId: 'o-1',
      type: pending.command,
      outcome: 'success' as const,
      payload: { reservationId: 'r-1' },
    };
    const hot = engine.apply(record, { kind: 'reply', reply }, 2_000);
    const cold = engine.apply(stored, { kind: 'reply', reply }, 2_000);
    expect(JSON.stringify(hot)).to.equal(JSON.stringify(cold));
    if (hot.outcome !== 'applied') throw new Error(hot.outcome);
    expect(jsonTextOf(hot.record.snapshot)).to.equal(JSON.stringify(hot.record.snapshot));
  });

  it('names a state as a dotted path, parallel regions joined with commas in document order', () => {
    expect(stateString('reserveInventory')).to.equal('reserveInventory');
    expect(stateString({ reserveInventory: 'attempting' })).to.equal('reserveInventory.attempting');
    expect(
      stateString({ booking: { hotel: { bookHotel: 'attempting' }, flight: 'waiting' } }),
    ).to.equal('booking.hotel.bookHotel.attempting,booking.flight.waiting');
    expect(stateString({ a: {} })).to.equal('a.');
  });

  it('the testing kit fails a step that leaves something other than plain JSON in the context', () => {
    const dated = tripWith('saga.stepSucceeded', assign({ bookedAt: () => new Date(0) }));
    const sim = simulateSaga(dated, { tripId: 'trip-1' });
    expect(() => sim.succeed('bookFlight', { seatId: 's-1' })).to.throw(
      /context is not plain JSON at context\.bookedAt/,
    );
  });

  it('the testing kit fails a step that changes the stored context in place', () => {
    const mutating = tripWith(
      'saga.stepSucceeded',
      assign(({ context }: { context: { steps: Record<string, { status: string }> } }) => {
        const progress = context.steps.bookFlight;
        if (progress) progress.status = 'succeeded';
        return {};
      }),
    );
    for (const roundTrip of [true, false]) {
      const sim = simulateSaga(mutating, { tripId: 'trip-1' }, { roundTrip });
      expect(() => sim.succeed('bookFlight', { seatId: 's-1' }), `roundTrip ${roundTrip}`).to.throw(
        /changed the record it was given/,
      );
    }
  });
});
