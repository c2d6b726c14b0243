/**
 * Generated failure paths on the trip saga (two steps in parallel regions, then a charge): every
 * step fails every way, with the other region's step in flight or done, and the outcome is what
 * the compensation rules predict. Also: `assertFailurePath` fails, with a clear message, on a
 * simulation that ended otherwise.
 */
import { expect } from 'chai';
import {
  assertFailurePath,
  failurePaths,
  simulateSaga,
} from '../../../orchestrator/engine/testing/index.js';
import { tripSaga } from './trip-saga.js';

const input = { tripId: 'trip-1' };

describe('trip saga: failure paths generated from its graph (parallel regions)', () => {
  const scenarios = failurePaths(tripSaga, input);
  const find = (step: string, cause: string, alsoInFlight: string[], compensations = 'succeed') => {
    const found = scenarios.find(
      (s) =>
        s.step === step &&
        s.cause === cause &&
        s.compensations === compensations &&
        s.path.alsoInFlight.join() === alsoInFlight.join(),
    );
    if (!found)
      throw new Error(`no scenario ${step} ${cause} with ${alsoInFlight.join()} in flight`);
    return found;
  };

  it('covers each step, in flight alone and next to the other region', () => {
    expect(new Set(scenarios.map((s) => s.step))).to.deep.equal(
      new Set(['bookHotel', 'bookFlight', 'charge']),
    );
    expect(find('bookFlight', 'refused', ['bookHotel']).path.succeeded).to.deep.equal([]);
    expect(find('bookFlight', 'refused', []).path.succeeded).to.deep.equal(['bookHotel']);
  });

  it('computes the expectations from the graph: unknown outcomes first, then completed steps last first', () => {
    // The hotel's command is in flight when the flight is refused: its outcome is unknown.
    expect(find('bookFlight', 'refused', ['bookHotel']).expected).to.deep.equal({
      status: 'compensated',
      compensations: ['hotels.CancelRoom'],
    });
    // Out of deadlines, the flight itself may have been booked: it is undone too, and first
    // (both started together, the flight's region second).
    expect(find('bookFlight', 'deadlines', ['bookHotel']).expected.compensations).to.deep.equal([
      'flights.CancelSeat',
      'hotels.CancelRoom',
    ]);
    const charge = find('charge', 'deadlines', []);
    expect(charge.expected.compensations).to.deep.equal(
      [...charge.path.succeeded]
        .reverse()
        .map((step) => (step === 'bookHotel' ? 'hotels.CancelRoom' : 'flights.CancelSeat')),
    );
    expect(find('charge', 'refused', [], 'keepFailing').expected).to.deep.equal({
      status: 'parked',
      compensations: [charge.expected.compensations[0]],
    });
  });

  for (const scenario of scenarios) {
    it(scenario.title, () => assertFailurePath(scenario, scenario.run()));
  }

  it('assertFailurePath throws, naming what differed, when the simulation ended otherwise', () => {
    const scenario = find('bookFlight', 'refused', ['bookHotel']);
    const untouched = simulateSaga(tripSaga, input);
    expect(() => assertFailurePath(scenario, untouched)).to.throw(
      /bookFlight refused .*:\n {2}status: running in .*, expected compensated\n {2}compensations sent: \[\], expected \[hotels\.CancelRoom\]/,
    );
  });
});
