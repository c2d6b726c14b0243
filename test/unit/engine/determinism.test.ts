/**
 * The engine is a function: the same record, event and time give byte-identical results, and a
 * saga restored from its persisted JSON at every step behaves exactly like XState's own actor
 * running the same statechart without interruption.
 */
import { expect } from 'chai';
import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import {
  createEngine,
  replyEvent,
  type SagaDefinition,
} from '../../../orchestrator/engine/index.js';
import {
  failureReply,
  simulateSaga,
  successReply,
  type SagaSimulation,
  type SimulatorOptions,
} from '../../../orchestrator/engine/testing/index.js';
import orderSaga, { STEP_TIMEOUT_MS } from '../../../sagas/order/index.js';
import { largeOrder } from '../sagas/order-fixtures.js';
import { tripSaga } from './trip-saga.js';

/** Retries, deadlines, approval, a refusal, a parked compensation and a resume. */
function orderScript(sim: SagaSimulation) {
  sim.fail('reserveInventory', { code: 'BUSY', retryable: true });
  sim.advanceToNextTimer();
  sim.succeed('reserveInventory', { reservationId: 'res-1' });
  sim.advance(STEP_TIMEOUT_MS);
  sim.advanceToNextTimer();
  sim.succeed('authorizePayment', { authorizationId: 'auth-1' });
  sim.signal({ type: 'order.approve' });
  sim.fail('confirmOrder', { code: 'UNDELIVERABLE' });
  for (let i = 0; i < 5; i++) {
    sim.failCompensation({ code: 'DOWN', retryable: true });
    if (sim.status === 'running') sim.advanceToNextTimer(); // the backoff
  }
  sim.signal({ type: 'saga.retry' });
  sim.succeedCompensation();
  sim.succeedCompensation();
}

function run(options: SimulatorOptions = {}) {
  const sim = simulateSaga(orderSaga, largeOrder, options);
  orderScript(sim);
  return sim;
}

const transcript = (sim: SagaSimulation) => JSON.stringify([sim.started, sim.calls]);

describe('engine: determinism', () => {
  it('the same events give byte-identical results', () => {
    const a = run();
    const b = run({ engine: createEngine([orderSaga]) });
    expect(a.status).to.equal('compensated');
    expect(transcript(a)).to.equal(transcript(b));
  });

  it('passing records through JSON between steps changes nothing', () => {
    expect(transcript(run({ roundTrip: false }))).to.equal(transcript(run({ roundTrip: true })));
  });

  it('every step replayed alone, from the stored JSON of the previous record, gives the same result', () => {
    const sim = run();
    const engine = createEngine([orderSaga]);
    let record = JSON.parse(JSON.stringify(sim.started.record)) as typeof sim.record;
    for (const call of sim.calls) {
      const result = engine.apply(record, call.event, call.now);
      expect(JSON.stringify(result)).to.equal(JSON.stringify(call.result));
      if (result.outcome === 'applied')
        record = JSON.parse(JSON.stringify(result.record)) as typeof record;
    }
  });

  it('a different saga id gives different command ids and jitter, nothing else random', () => {
    const a = run({ sagaId: 'saga-a' });
    const b = run({ sagaId: 'saga-b' });
    expect(a.commands()[0]?.commandId).to.equal('saga-a.reserveInventory.1');
    expect(b.commands()[0]?.commandId).to.equal('saga-b.reserveInventory.1');
    expect(transcript(a).replaceAll('saga-a', 'saga-b')).to.not.equal(transcript(b)); // jitter differs
    expect(a.status).to.equal(b.status);
  });
});

/**
 * The engine (restoring at every step) side by side with XState's own actor on a simulated clock
 * (never restored): after every step their persisted snapshots must be equal.
 */
class Twin {
  readonly sim: SagaSimulation;
  private readonly clock = new SimulatedClock();
  private readonly actor: AnyActorRef;
  steps = 0;

  constructor(definition: SagaDefinition, input: unknown) {
    this.sim = simulateSaga(definition, input);
    this.actor = createActor(definition.machine, {
      input: { sagaId: 'saga-1', input },
      clock: this.clock,
    });
    this.actor.start();
    this.check();
  }

  private check() {
    this.steps++;
    const live = JSON.parse(JSON.stringify(this.actor.getPersistedSnapshot())) as unknown;
    expect(this.sim.record.snapshot, `after step ${this.steps}`).to.deep.equal(live);
  }

  succeed(step: string, payload = {}) {
    const command = this.sim.pendingCommand(step);
    const reply = successReply(command, 'saga-1', payload);
    this.sim.reply(reply);
    this.actor.send(replyEvent(command, reply));
    this.check();
  }

  fail(step: string, code: string, retryable = false) {
    const command = this.sim.pendingCommand(step);
    const reply = failureReply(command, 'saga-1', { code, retryable });
    this.sim.reply(reply);
    this.actor.send(replyEvent(command, reply));
    this.check();
  }

  compensation(outcome: 'success' | 'failure') {
    const command = this.sim.pendingCompensation();
    const reply =
      outcome === 'success'
        ? successReply(command, 'saga-1')
        : failureReply(command, 'saga-1', { code: 'DOWN', retryable: true });
    this.sim.reply(reply);
    this.actor.send(replyEvent(command, reply));
    this.check();
  }

  signal(type: string) {
    this.sim.signal({ type });
    this.actor.send({ type });
    this.check();
  }

  advance(ms: number) {
    this.sim.advance(ms);
    this.clock.increment(ms);
    this.check();
  }

  /** Advances both to the engine's next armed timer. */
  advanceToNextTimer() {
    const next = Math.min(...this.sim.record.timers.map((t) => t.dueAt));
    this.advance(next - this.sim.now);
  }
}

describe('engine: restored at every step = XState actor never interrupted', () => {
  it('order saga with retries, deadlines, approval, parking and resume', () => {
    const twin = new Twin(orderSaga, largeOrder);
    twin.fail('reserveInventory', 'BUSY', true);
    twin.advanceToNextTimer();
    twin.succeed('reserveInventory', { reservationId: 'res-1' });
    twin.advance(STEP_TIMEOUT_MS);
    twin.advanceToNextTimer();
    twin.succeed('authorizePayment', { authorizationId: 'auth-1' });
    twin.signal('order.approve');
    twin.fail('confirmOrder', 'UNDELIVERABLE');
    for (let i = 0; i < 5; i++) {
      twin.compensation('failure');
      if (twin.sim.status === 'running') twin.advanceToNextTimer();
    }
    expect(twin.sim.status).to.equal('parked');
    twin.signal('saga.retry');
    twin.compensation('success');
    twin.advance(STEP_TIMEOUT_MS); // the release times out once, then is retried
    twin.advanceToNextTimer();
    twin.compensation('success');
    expect(twin.sim.status).to.equal('compensated');
    expect(twin.steps).to.be.greaterThan(20);
  });

  it('parallel saga: one region retries while the other completes, then cancel', () => {
    const twin = new Twin(tripSaga, { tripId: 'trip-1' });
    twin.succeed('bookFlight', { seatId: 'seat-1' });
    twin.advance(5_000);
    twin.advance(1_000);
    twin.signal('saga.cancel');
    twin.compensation('success');
    twin.compensation('success');
    expect(twin.sim.status).to.equal('cancelled');
  });
});
