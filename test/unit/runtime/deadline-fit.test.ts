/**
 * The start-up check of deadlines against the Kafka session timeout (issue 12 item 3): a saga
 * whose deadline is not comfortably above the session loses good sagas whenever an instance dies.
 */
import { expect } from 'chai';
import { createSagaKit, defineSaga } from '../../../orchestrator/engine/index.js';
import {
  DEADLINE_TO_SESSION_FACTOR,
  deadlinesTooShortForSession,
} from '../../../orchestrator/runtime/index.js';
import orderSaga, { createOrderSaga, STEP_TIMEOUT_MS } from '../../../sagas/order/index.js';
import { DEFAULT_CONSUMER_TIMINGS } from '../../../wire/kafka/index.js';
import { tripSaga } from '../../support/shapes/trip/index.js';

interface Input {
  id: string;
}
const kit = createSagaKit<Input>();

/** One step (its deadline `stepMs`, its compensation's `compensationMs`) inside a saga deadline. */
function refundSaga(stepMs: number, compensationMs: number, sagaDeadlineMs: number) {
  const machine = kit.setup.createMachine({
    id: 'refund',
    context: kit.initialContext,
    initial: 'refunding',
    on: kit.signals,
    states: {
      refunding: kit.deadline(
        { name: 'refund', ms: sagaDeadlineMs },
        {
          initial: 'credit',
          states: {
            credit: {
              ...kit.step({
                name: 'credit',
                participant: 'ledger',
                command: 'Credit',
                timeoutMs: stepMs,
                payload: ({ input }) => ({ id: input.id }),
                compensation: {
                  command: 'Debit',
                  timeoutMs: compensationMs,
                  payload: ({ input }) => ({ id: input.id }),
                },
              }),
              onDone: 'done',
            },
            done: { type: 'final' },
          },
          onDone: 'completed',
        },
      ),
      ...kit.endStates,
    },
  });
  return defineSaga<Input>({ type: 'refund', version: '3', machine, input: { schema: {} } });
}

describe('runtime: deadlines against the Kafka session timeout', () => {
  it('the shipped order saga fits the default session; it did not fit the former 30 s one', () => {
    expect(STEP_TIMEOUT_MS).to.equal(10_000);
    const session = DEFAULT_CONSUMER_TIMINGS.sessionTimeoutMs;
    expect(session).to.equal(6_000);
    expect(deadlinesTooShortForSession([orderSaga], session)).to.deep.equal([]);
    expect(deadlinesTooShortForSession([orderSaga], 30_000)).to.deep.equal([
      {
        sagaType: 'order',
        version: '1',
        kind: 'step',
        name: 'reserveInventory',
        deadlineMs: 10_000,
      },
    ]);
  });

  it('names the definition, the step and its deadline: the shortest one per definition', () => {
    const fast = createOrderSaga({ stepTimeoutMs: 8_000, compensation: { timeoutMs: 5_000 } });
    expect(deadlinesTooShortForSession([orderSaga, fast], 6_000)).to.deep.equal([
      {
        sagaType: 'order',
        version: '1',
        kind: 'compensation',
        name: 'reserveInventory',
        deadlineMs: 5_000,
      },
    ]);
  });

  it('checks step, compensation and fixed saga-level deadlines, whichever is shortest', () => {
    const at = (step: number, compensation: number, saga: number) =>
      deadlinesTooShortForSession([refundSaga(step, compensation, saga)], 6_000).map(
        ({ kind, name, deadlineMs }) => ({ kind, name, deadlineMs }),
      );
    expect(at(8_000, 20_000, 60_000)).to.deep.equal([
      { kind: 'step', name: 'credit', deadlineMs: 8_000 },
    ]);
    expect(at(30_000, 7_000, 60_000)).to.deep.equal([
      { kind: 'compensation', name: 'credit', deadlineMs: 7_000 },
    ]);
    expect(at(30_000, 20_000, 6_500)).to.deep.equal([
      { kind: 'saga-deadline', name: 'refund', deadlineMs: 6_500 },
    ]);
    // Comfortably above: one and a half sessions is enough.
    expect(DEADLINE_TO_SESSION_FACTOR).to.equal(1.5);
    expect(at(9_000, 9_000, 9_000)).to.deep.equal([]);
    expect(at(8_999, 9_000, 9_000)).to.have.length(1);
  });

  it('leaves out a saga-level deadline read from the saga’s input (no length before it runs)', () => {
    // The trip saga's deadline comes from its input; its steps are generous.
    expect(deadlinesTooShortForSession([tripSaga], 6_000)).to.deep.equal([]);
    expect(deadlinesTooShortForSession([tripSaga], 6_000, 1_000_000)).to.have.length(1);
    expect(deadlinesTooShortForSession([tripSaga], 6_000, 1_000_000)[0]?.kind).to.not.equal(
      'saga-deadline',
    );
  });
});
