/**
 * Conformance: deadlines and retries through the service on real Kafka and Redis — two step
 * deadlines due at the same instant (one timer poll claims both), a retry with backoff inside a
 * parallel region, and the saga-level deadline (`kit.deadline`) of the trip over several steps.
 * Replies are produced in separate batches and in one batch; both must end the same way.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ShapeInput } from '../../../support/shapes/common.js';
import { parallelTimeoutsSaga } from '../../../support/shapes/parallel-timeouts/index.js';
import {
  REGION_RETRY_BACKOFF,
  regionRetrySaga,
} from '../../../support/shapes/region-retry/index.js';
import { tripSaga } from '../../../support/shapes/trip/index.js';
import { inBothDeliveries, observeEnd } from '../../../support/conformance/observed.js';
import {
  failTransiently,
  playParticipants,
  succeed,
  type Delivery,
  type Script,
  type ScriptedParticipants,
} from '../../../support/conformance/scripted-participants.js';
import { useSystem } from '../../../support/system.js';

describe('conformance: deadlines and retries through the service', function () {
  this.timeout(120_000);
  const sut = useSystem('conformance-deadlines', {
    definitions: [parallelTimeoutsSaga, regionRetrySaga, tripSaga],
    participants: false,
  });
  let players: ScriptedParticipants;
  before(async function () {
    this.timeout(60_000);
    players = await playParticipants(sut.infra, {
      participants: ['hotels', 'flights', 'payment'],
      loadRecord: (id) => sut.system.orchestrator.store.load(id),
    });
  });

  async function start(
    type: string,
    name: string,
    script: Script,
    input: Partial<ShapeInput> = {},
  ) {
    const id = `${name}-${randomBytes(3).toString('hex')}`;
    players.script(id, script);
    const started = await sut.system.orchestrator.startSaga({
      type,
      id,
      input: { ref: id, ...input },
    });
    if (started.status !== 'started') throw new Error(`${id}: ${started.status}`);
    return { id, record: started.record };
  }
  const end = (id: string) =>
    observeEnd(players, id, (i) => sut.system.orchestrator.waitForResult(i, 45_000));

  it('both regions time out at the same instant (one poll), twice: both retry, then both are undone once', async () => {
    const { id, record } = await start(parallelTimeoutsSaga.type, 'both-time-out', {});
    // Armed in one transition at one `now`: the same dueAt, so the poller claims them together.
    expect(record.timers).to.have.length(2);
    expect(new Set(record.timers.map((t) => t.dueAt)).size).to.equal(1);
    await players.commands(id, ['bookHotel', 'bookFlight']); // and never answered
    const observed = await end(id);
    // Both first deadlines were applied (each region retried), then both gave up. Each retry
    // after a deadline re-sent its region's command under the same id (`sent` lists each id once).
    const deliveries = players.received.filter((c) => c.sagaId === id && c.kind === 'action');
    expect(players.sent(id, 'action').map((c) => c.commandId)).to.have.members([
      `${id}.bookHotel.1`,
      `${id}.bookFlight.1`,
    ]);
    const attempts = [...new Set(deliveries.map((c) => `${c.step}:${c.attempt}`))];
    expect(attempts).to.have.members([
      'bookHotel:1',
      'bookFlight:1',
      'bookHotel:2',
      'bookFlight:2',
    ]);
    expect(observed.end).to.deep.include({
      status: 'compensated',
      state: 'compensated',
      failure: 'STEP_TIMED_OUT',
      steps: { bookHotel: 'unknown', bookFlight: 'unknown' },
      pending: 0,
      timers: 0,
    });
    // Both outcomes are unknown; they go on the stack in the order the steps started.
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
  });

  it('a region retries with backoff on its own while the other completes', async () => {
    const observed = await inBothDeliveries(async (delivery: Delivery) => {
      const { id } = await start(regionRetrySaga.type, `region-retry-${delivery}`, {
        bookHotel: [undefined, succeed({ roomId: 'room-7' })],
      });
      const [hotel, flight] = await players.commands(id, ['bookHotel', 'bookFlight']);
      if (!hotel || !flight) throw new Error('unreachable');
      await players.send(
        [players.reply(hotel, failTransiently('BUSY')), players.reply(flight, succeed())],
        delivery,
      );
      const result = await end(id);
      const hotels = players.sent(id, 'action').filter((c) => c.step === 'bookHotel');
      expect(hotels.map((c) => c.attempt)).to.deep.equal([1, 2]);
      const waited = Date.parse(hotels[1]?.issuedAt ?? '') - Date.parse(hotels[0]?.issuedAt ?? '');
      expect(waited).to.be.at.least(REGION_RETRY_BACKOFF.initialDelayMs);
      return result;
    });
    expect(observed.end).to.deep.include({ status: 'completed', failure: null, timers: 0 });
    expect(observed.actions).to.deep.equal([
      'flights.BookSeat',
      'hotels.BookRoom',
      'hotels.BookRoom',
    ]);
    expect(observed.compensations).to.deep.equal([]);
  });

  it('the trip: both bookings in one batch or apart, then the charge, inside its deadline', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const { id, record } = await start(tripSaga.type, `trip-${delivery}`, {
        charge: [succeed({ chargeId: 'ch-1' })],
      });
      expect(record.timers.map((t) => t.timerId)).to.include('saga.deadline.trip');
      const [hotel, flight] = await players.commands(id, ['bookHotel', 'bookFlight']);
      if (!hotel || !flight) throw new Error('unreachable');
      await players.send(
        [
          players.reply(hotel, succeed({ roomId: 'r-1' })),
          players.reply(flight, succeed({ seatId: 's-1' })),
        ],
        delivery,
      );
      return end(id);
    });
    // Completing left the deadline's state: its timer is gone with the steps' own.
    expect(observed.end).to.deep.include({ status: 'completed', state: 'completed', timers: 0 });
    expect(observed.actions).to.deep.equal([
      'flights.BookSeat',
      'hotels.BookRoom',
      'payment.Charge',
    ]);
  });

  it('the trip deadline passes with a booking in flight: SAGA_DEADLINE, in-flight step undone first', async () => {
    const { id } = await start(
      tripSaga.type,
      'trip-deadline',
      { bookHotel: [succeed({ roomId: 'r-1' })] },
      { deadlineMs: 3_000 },
    );
    await players.commands(id, ['bookFlight']); // held: the flight never answers
    const observed = await end(id);
    expect(observed.end).to.deep.include({
      status: 'compensated',
      failure: 'SAGA_DEADLINE',
      compensated: ['bookFlight', 'bookHotel'],
      steps: { bookHotel: 'succeeded', bookFlight: 'unknown' },
      timers: 0,
    });
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
    const [cancelSeat, cancelRoom] = players.sent(id, 'compensation');
    expect(cancelSeat?.payload).to.deep.equal({ ref: id });
    expect(cancelRoom?.payload).to.deep.equal({ ref: id, roomId: 'r-1' });
  });
});
