/**
 * Conformance: the parallel fork/join shape (test/support/shapes/fork-join) through the service
 * on real Kafka and Redis — the orchestrator in this process, the participants played by a
 * script. Every scenario runs twice at once, its replies produced in separate batches and in one
 * batch (one `producer.send`, so one `eachBatch`), and both runs must end the same way.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { forkJoinSaga } from '../../../support/shapes/fork-join/index.js';
import {
  inBothDeliveries,
  observeEnd,
  type Observed,
} from '../../../support/conformance/observed.js';
import {
  playParticipants,
  refuse,
  succeed,
  type Delivery,
  type Script,
  type ScriptedParticipants,
} from '../../../support/conformance/scripted-participants.js';
import { useSystem } from '../../../support/system.js';

const BOOKED = ['flights.BookSeat', 'hotels.BookRoom'];

describe('conformance: parallel fork/join through the service', function () {
  this.timeout(120_000);
  const sut = useSystem('conformance-fork-join', {
    definitions: [forkJoinSaga],
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

  /** Starts a saga scripted with `script`; its two bookings are held for the test. */
  async function start(name: string, delivery: Delivery, script: Script = {}) {
    const id = `${name}-${delivery}-${randomBytes(3).toString('hex')}`;
    players.script(id, script);
    const started = await sut.system.orchestrator.startSaga({
      type: forkJoinSaga.type,
      id,
      input: { ref: id },
    });
    expect(started.status).to.equal('started');
    const [hotel, flight] = await players.commands(id, ['bookHotel', 'bookFlight']);
    if (!hotel || !flight) throw new Error('unreachable: commands() waits for both');
    return { id, hotel, flight };
  }
  const end = (id: string) =>
    observeEnd(players, id, (i) => sut.system.orchestrator.waitForResult(i, 45_000));
  const room = succeed({ roomId: 'room-7' });
  const seat = succeed({ seatId: 'seat-9' });

  it('both regions succeed: joins, charges with both results, completes', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const { id, hotel, flight } = await start('both-succeed', delivery, {
        charge: [succeed({ chargeId: 'c-1' })],
      });
      await players.send([players.reply(hotel, room), players.reply(flight, seat)], delivery);
      const result = await end(id);
      const [charge] = players.sent(id, 'action').filter((c) => c.step === 'charge');
      expect(charge?.payload).to.deep.equal({ ref: id, roomId: 'room-7', seatId: 'seat-9' });
      return result;
    });
    expect(observed).to.deep.equal({
      end: {
        status: 'completed',
        state: 'completed',
        failure: null,
        compensated: [],
        steps: { bookHotel: 'succeeded', bookFlight: 'succeeded', charge: 'succeeded' },
        pending: 0,
        timers: 0,
      },
      actions: ['flights.BookSeat', 'hotels.BookRoom', 'payment.Charge'],
      compensations: [],
    } satisfies Observed);
  });

  it('duplicated and reordered replies change nothing', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const { id, hotel, flight } = await start('duplicates', delivery, {
        charge: [succeed({ chargeId: 'c-1' })],
      });
      const [h, f] = [players.reply(hotel, room), players.reply(flight, seat)];
      await players.send([f, f, h, f, h], delivery);
      return end(id);
    });
    expect(observed.end.status).to.equal('completed');
    expect(observed.actions).to.deep.equal([...BOOKED, 'payment.Charge']);
    expect(observed.compensations).to.deep.equal([]);
  });

  it('one region refuses after the other succeeded: only the done one is undone', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const { id, hotel, flight } = await start('one-fails', delivery);
      await players.send(
        [players.reply(hotel, room), players.reply(flight, refuse('NO_SEATS'))],
        delivery,
      );
      const result = await end(id);
      const [undo] = players.sent(id, 'compensation');
      expect(undo?.payload).to.deep.equal({ ref: id, roomId: 'room-7' });
      return result;
    });
    expect(observed.end).to.deep.include({
      status: 'compensated',
      state: 'compensated',
      failure: 'NO_SEATS',
      compensated: ['bookHotel'],
    });
    expect(observed.actions).to.deep.equal(BOOKED);
    expect(observed.compensations).to.deep.equal(['hotels.CancelRoom']);
  });

  it('both regions refuse: the first refusal leaves the other in flight, so it is undone', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const { id, hotel, flight } = await start('both-fail', delivery);
      await players.send(
        [players.reply(hotel, refuse('NO_ROOMS')), players.reply(flight, refuse('NO_SEATS'))],
        delivery,
      );
      return end(id);
    });
    // When the hotel's refusal is applied the flight's command is still in flight: its outcome
    // is unknown, so it is undone; its own refusal comes after and is ignored (not pending).
    expect(observed.end).to.deep.include({
      status: 'compensated',
      failure: 'NO_ROOMS',
      compensated: ['bookFlight'],
      steps: { bookHotel: 'failed', bookFlight: 'unknown' },
    });
    expect(observed.actions).to.deep.equal(BOOKED);
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat']);
  });

  for (const [first, second] of [
    ['hotel', 'flight'],
    ['flight', 'hotel'],
  ] as const) {
    it(`the charge is refused after ${first} then ${second}: undone last completed first`, async () => {
      const observed = await inBothDeliveries(async (delivery) => {
        const started = await start(`charge-fails-${first}`, delivery, {
          charge: [refuse('CARD_DECLINED')],
        });
        const answers = { hotel: room, flight: seat };
        await players.send(
          [first, second].map((region) => players.reply(started[region], answers[region])),
          delivery,
        );
        return end(started.id);
      });
      const undo = { hotel: 'hotels.CancelRoom', flight: 'flights.CancelSeat' };
      expect(observed.end).to.deep.include({ status: 'compensated', failure: 'CARD_DECLINED' });
      expect(observed.compensations).to.deep.equal([undo[second], undo[first]]);
    });
  }

  it('a success that comes after the other region refused is ignored; the region is undone once', async () => {
    const { id, hotel, flight } = await start('late-success', 'separate');
    await players.send([players.reply(flight, refuse('NO_SEATS'))], 'separate');
    // The hotel's command is no longer awaited: its success is ignored, its outcome stays
    // unknown, and it is undone all the same (without the room id it never learnt).
    await players.send([players.reply(hotel, room)], 'one-batch');
    const observed = await end(id);
    expect(observed.end).to.deep.include({ status: 'compensated', failure: 'NO_SEATS' });
    expect(observed.compensations).to.deep.equal(['hotels.CancelRoom']);
    expect(players.sent(id, 'compensation')[0]?.payload).to.deep.equal({ ref: id });
  });

  it('cancel during the parallel step undoes the done region and the one in flight', async () => {
    const { id, hotel } = await start('cancel', 'separate');
    await players.send([players.reply(hotel, room)], 'separate');
    const outcome = await sut.system.orchestrator.cancel(id);
    expect(outcome.status).to.equal('applied');
    const observed = await end(id);
    expect(observed.end).to.deep.include({
      status: 'cancelled',
      state: 'cancelled',
      failure: 'CANCELLED',
    });
    // The flight's outcome is unknown (its command was in flight): undone first.
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
    expect(observed.actions).to.deep.equal(BOOKED);
  });

  it('44 sagas at once, all their replies in one send (both of each saga in one batch): all complete', async () => {
    // The field report: 44 such sagas, 8 completed (each batch with both replies of a saga was
    // refused and re-delivered until the replies were lost to their deadlines).
    const sagas = await Promise.all(
      Array.from({ length: 44 }, (_, n) =>
        start(`many-${n}`, 'one-batch', { charge: [succeed({ chargeId: `c-${n}` })] }),
      ),
    );
    await players.send(
      sagas.flatMap(({ hotel, flight }) => [
        players.reply(hotel, room),
        players.reply(flight, seat),
      ]),
      'one-batch',
    );
    const ended = await Promise.all(
      sagas.map(({ id }) => sut.system.orchestrator.waitForResult(id, 45_000)),
    );
    expect(ended.map((record) => record?.status)).to.deep.equal(sagas.map(() => 'completed'));
  });
});
