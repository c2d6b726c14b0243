/**
 * `createOrderSaga()`: the same statechart with other timings. The timings must reach what the
 * runtime acts on — the commands' `expiresAt` and the durable timers' `dueAt` — and nothing else
 * may change.
 */
import { expect } from 'chai';
import { getStateNodes } from 'xstate/graph';
import { describeDefinition } from '../../../orchestrator/engine/index.js';
import { simulateSaga } from '../../../orchestrator/engine/testing/index.js';
import orderSaga, {
  APPROVAL_TIMEOUT_DELAY,
  createOrderSaga,
  STEP_TIMEOUT_MS,
} from '../../../sagas/order/index.js';
import { smallOrder } from './order-fixtures.js';

const stateIds = (machine: Parameters<typeof getStateNodes>[0]) =>
  getStateNodes(machine)
    .map((node) => node.id)
    .sort();

const fast = createOrderSaga({
  stepTimeoutMs: 1_500,
  retry: { maxAttempts: 2, backoff: { initialDelayMs: 100, jitter: 0 } },
  compensation: { timeoutMs: 700, maxAttempts: 2, backoff: { initialDelayMs: 50, jitter: 0 } },
  approvalTimeoutMs: 3_000,
  approvalThreshold: 50,
});

describe('order saga: createOrderSaga() timings', () => {
  it('keeps type, version and the statechart; only the timings differ', () => {
    expect(fast).to.include({ type: 'order', version: '1' });
    expect(stateIds(fast.machine)).to.deep.equal(stateIds(orderSaga.machine));
    const shape = (steps: ReturnType<typeof describeDefinition>['steps']) =>
      steps.map(({ timeoutMs: _timeout, maxAttempts: _attempts, compensation, ...rest }) => ({
        ...rest,
        compensation: compensation && { ...compensation, timeoutMs: 0 },
      }));
    expect(shape(describeDefinition(fast).steps)).to.deep.equal(
      shape(describeDefinition(orderSaga).steps),
    );
    expect(describeDefinition(fast).steps.map((s) => [s.timeoutMs, s.maxAttempts])).to.deep.equal([
      [1_500, 2],
      [1_500, 2],
      [1_500, 2],
    ]);
    expect(describeDefinition(fast).steps.map((s) => s.compensation?.timeoutMs)).to.deep.equal([
      700, 700, 700,
    ]);
  });

  it('the default is createOrderSaga() with the production timings', () => {
    const again = createOrderSaga();
    expect(describeDefinition(again).steps).to.deep.equal(describeDefinition(orderSaga).steps);
    const sim = simulateSaga(again, smallOrder);
    const [reserve] = sim.commands();
    expect(reserve && reserve.expiresAt - reserve.issuedAt).to.equal(STEP_TIMEOUT_MS);
  });

  it('the step deadline reaches expiresAt and the deadline timer; the backoff and attempts follow retry', () => {
    const sim = simulateSaga(fast, smallOrder);
    const [first] = sim.commands();
    expect(first && first.expiresAt - first.issuedAt).to.equal(1_500);
    expect(sim.record.timers.map((t) => t.dueAt - sim.now)).to.deep.equal([1_500]);

    sim.advance(1_499);
    expect(sim.state).to.equal('reserveInventory.attempting');
    sim.advance(1);
    expect(sim.state).to.equal('reserveInventory.retrying');
    // jitter 0: exactly the initial delay
    expect(sim.record.timers.map((t) => t.dueAt - sim.now)).to.deep.equal([100]);
    sim.advance(100);
    const second = sim.pendingCommand('reserveInventory');
    expect(second.attempt).to.equal(2);
    sim.advance(1_500);
    // Two attempts in all: the step gives up and compensates itself (its outcome is unknown).
    expect(sim.state).to.equal('compensating.running');
    expect((sim.context.failure as { code: string }).code).to.equal('STEP_TIMED_OUT');
  });

  it('compensations take their deadline, attempts and backoff from the compensation option', () => {
    const sim = simulateSaga(fast, smallOrder);
    sim.succeed('reserveInventory', { reservationId: 'r-1' });
    sim.fail('authorizePayment', { code: 'DECLINED' });
    const [release] = sim.commands('compensation');
    expect(release && release.expiresAt - release.issuedAt).to.equal(700);
    expect(sim.record.timers.map((t) => t.dueAt - sim.now)).to.deep.equal([700]);
    sim.failCompensation({ code: 'BUSY', retryable: true });
    expect(sim.record.timers.map((t) => t.dueAt - sim.now)).to.deep.equal([50]);
    sim.advance(50);
    sim.failCompensation({ code: 'BUSY', retryable: true });
    expect(sim.status).to.equal('parked'); // two attempts per round
  });

  it('the approval threshold and deadline follow the options; the timer keeps its name', () => {
    const sim = simulateSaga(fast, { ...smallOrder, amount: 50.01 });
    sim.succeed('reserveInventory');
    sim.succeed('authorizePayment');
    expect(sim.state).to.equal('awaitingApproval');
    const [timer] = sim.record.timers;
    expect(timer?.dueAt).to.equal(sim.now + 3_000);
    expect(timer?.timerId).to.contain(APPROVAL_TIMEOUT_DELAY);
    sim.advance(3_000);
    expect(sim.context.failure).to.deep.equal({
      code: 'APPROVAL_TIMED_OUT',
      message: 'no approval within 3000 ms',
    });

    const atThreshold = simulateSaga(fast, { ...smallOrder, amount: 50 });
    atThreshold.succeed('reserveInventory');
    atThreshold.succeed('authorizePayment');
    expect(atThreshold.state).to.equal('confirmOrder.attempting');
  });

  it('the approval timer has the same id whatever its length, so a restart with new timings finds it', () => {
    const timerIdOf = (saga: typeof orderSaga) => {
      const sim = simulateSaga(saga, { ...smallOrder, amount: 20_000 });
      sim.succeed('reserveInventory');
      sim.succeed('authorizePayment');
      return sim.record.timers.map((t) => t.timerId);
    };
    expect(timerIdOf(createOrderSaga({ approvalTimeoutMs: 1_000 }))).to.deep.equal(
      timerIdOf(orderSaga),
    );
  });

  it('refuses timings that cannot work, naming the option', () => {
    expect(() => createOrderSaga({ stepTimeoutMs: 0 })).to.throw(RangeError, /stepTimeoutMs/);
    expect(() => createOrderSaga({ approvalTimeoutMs: -1 })).to.throw(/approvalTimeoutMs/);
    expect(() => createOrderSaga({ retry: { maxAttempts: 0 } })).to.throw(/retry.maxAttempts/);
    expect(() => createOrderSaga({ compensation: { maxAttempts: 1.5 } })).to.throw(
      /compensation.maxAttempts/,
    );
    expect(() => createOrderSaga({ approvalThreshold: Number.NaN })).to.throw(/approvalThreshold/);
  });
});
