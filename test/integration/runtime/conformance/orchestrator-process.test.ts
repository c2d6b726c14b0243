/**
 * Conformance against a real orchestrator process (`orchestrator/main.ts`, what `npm start`
 * runs) that loads the shapes the way an operator adds sagas: `SAGA_DEFINITIONS_DIR` pointing at
 * test/support/shapes (one folder per definition). Sagas start from a request on the requests
 * topic; the test reads their records from Redis and plays the participants on Kafka.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Producer } from 'kafkajs';
import { topicNames, type StartRequestMessage } from '../../../../wire/contract/index.js';
import type { SagaStore } from '../../../../orchestrator/store/index.js';
import { readerStore, useRunProcesses } from '../../../e2e/support/order-run.js';
import {
  orchestratorEnv,
  type OrchestratorProcess,
} from '../../../e2e/support/orchestrator-process.js';
import { inBothDeliveries, observeEnd } from '../../../support/conformance/observed.js';
import {
  playParticipants,
  succeed,
  type Script,
  type ScriptedParticipants,
} from '../../../support/conformance/scripted-participants.js';
import { eventually } from '../../../support/eventually.js';
import { useInfra } from '../../../support/infra.js';
import type { ShapeInput } from '../../../support/shapes/common.js';
import { freePort } from '../../../support/free-port.js';

const SHAPES_DIR = path.resolve(import.meta.dirname, '../../../support/shapes');

describe('conformance: shapes loaded from SAGA_DEFINITIONS_DIR by a real orchestrator process', function () {
  this.timeout(180_000);
  // Before useInfra: the process is killed before the file's topics and keys go.
  const run = useRunProcesses();
  const infra = useInfra('conformance-process');
  let orchestrator: OrchestratorProcess;
  let store: SagaStore;
  let producer: Producer;
  let players: ScriptedParticipants;

  before(async function () {
    this.timeout(120_000);
    orchestrator = run.spawnOrchestrator({
      ...orchestratorEnv(infra.prefix, await freePort()),
      SAGA_DEFINITIONS_DIR: SHAPES_DIR,
    });
    const ready = await orchestrator.ready;
    expect(ready.sagaTypes).to.include.members([
      'conformance-fork-join',
      'conformance-parallel-timeouts',
      'trip',
    ]);
    store = readerStore(infra.redis, infra.prefix);
    producer = await infra.producer({ idempotent: true });
    players = await playParticipants(infra, {
      participants: ['hotels', 'flights', 'payment'],
      loadRecord: (id) => store.load(id),
    });
  });

  /** Starts a saga as another service would: a start request on the requests topic. */
  async function start(
    type: string,
    name: string,
    script: Script,
    input: Partial<ShapeInput> = {},
  ) {
    const id = `${name}-${randomBytes(3).toString('hex')}`;
    players.script(id, script);
    const request: StartRequestMessage = { type, id, input: { ref: id, ...input } };
    await producer.send({
      topic: topicNames(infra.prefix).requests,
      messages: [{ key: id, value: JSON.stringify(request) }],
    });
    return id;
  }
  const ended = (id: string) =>
    eventually(
      `${id} to end`,
      async () => {
        orchestrator.assertRunning();
        const record = await store.load(id);
        return record && record.status !== 'running' ? record : undefined;
      },
      45_000,
    );
  const end = (id: string) => observeEnd(players, id, ended);

  it('fork/join: both bookings (duplicated) in one batch or apart, then the charge: completed', async () => {
    const observed = await inBothDeliveries(async (delivery) => {
      const id = await start('conformance-fork-join', `fork-join-${delivery}`, {
        charge: [succeed({ chargeId: 'c-1' })],
      });
      const [hotel, flight] = await players.commands(id, ['bookHotel', 'bookFlight']);
      if (!hotel || !flight) throw new Error('unreachable');
      const [h, f] = [
        players.reply(hotel, succeed({ roomId: 'r-1' })),
        players.reply(flight, succeed({ seatId: 's-1' })),
      ];
      await players.send([h, f, h], delivery);
      return end(id);
    });
    expect(observed.end).to.deep.include({
      status: 'completed',
      state: 'completed',
      steps: { bookHotel: 'succeeded', bookFlight: 'succeeded', charge: 'succeeded' },
      pending: 0,
      timers: 0,
    });
    expect(observed.actions).to.deep.equal([
      'flights.BookSeat',
      'hotels.BookRoom',
      'payment.Charge',
    ]);
    expect(observed.compensations).to.deep.equal([]);
  });

  it('both step deadlines in one timer poll, twice: both regions retry, then both are undone', async () => {
    const id = await start('conformance-parallel-timeouts', 'both-time-out', {});
    const observed = await end(id);
    // A retry after a deadline re-sends its command under the same id with the next attempt, so
    // the attempts are read off every delivery (`sent` lists each command id once).
    const deliveries = players.received.filter((c) => c.sagaId === id && c.kind === 'action');
    const attempts = [...new Set(deliveries.map((c) => `${c.step}:${c.attempt}`))];
    expect(attempts).to.have.members([
      'bookHotel:1',
      'bookFlight:1',
      'bookHotel:2',
      'bookFlight:2',
    ]);
    expect(observed.end).to.deep.include({ status: 'compensated', failure: 'STEP_TIMED_OUT' });
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
  });

  it('the trip deadline passes with the flight in flight: SAGA_DEADLINE, flight then hotel undone', async () => {
    const id = await start(
      'trip',
      'trip-deadline',
      { bookHotel: [succeed({ roomId: 'r-1' })] },
      {
        deadlineMs: 3_000,
      },
    );
    const observed = await end(id);
    expect(observed.end).to.deep.include({
      status: 'compensated',
      failure: 'SAGA_DEADLINE',
      compensated: ['bookFlight', 'bookHotel'],
    });
    expect(observed.compensations).to.deep.equal(['flights.CancelSeat', 'hotels.CancelRoom']);
  });
});
