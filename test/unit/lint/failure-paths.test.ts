/**
 * The failure-path generator on shapes the order and trip sagas do not have: a step that fails
 * into `#failed` (a point of no return), one that fails into a state of the author's own, and a
 * step marked noCompensation.
 */
import { expect } from 'chai';
import { createSagaKit, defineSaga, type StepOptions } from '../../../orchestrator/engine/index.js';
import { assertFailurePath, failurePaths } from '../../../orchestrator/engine/testing/index.js';

interface Input {
  id: string;
}
const kit = createSagaKit<Input>();

const step = (name: string, extra: Partial<StepOptions<Input>> = {}): StepOptions<Input> => ({
  name,
  participant: 'ledger',
  command: `Do${name}`,
  timeoutMs: 1_000,
  retry: { maxAttempts: 2 },
  payload: ({ input }) => ({ id: input.id }),
  compensation: { command: `Undo${name}`, payload: ({ input }) => ({ id: input.id }) },
  ...extra,
});

const machine = kit.setup.createMachine({
  id: 'payout',
  context: kit.initialContext,
  initial: 'hold',
  on: kit.signals,
  states: {
    hold: { ...kit.step(step('hold')), onDone: 'audit' },
    audit: {
      ...kit.step(step('audit', { compensation: undefined, noCompensation: { reason: 'reads' } })),
      onDone: 'pay',
    },
    pay: { ...kit.step(step('pay', { onFailure: '#failed' })), onDone: 'notify' },
    notify: { ...kit.step(step('notify', { onFailure: '#payout-manual' })), onDone: 'completed' },
    manual: { id: 'payout-manual', on: { 'payout.done': 'completed' } },
    ...kit.endStates,
  },
});
const payout = defineSaga<Input>({
  type: 'payout',
  version: '1',
  machine,
  input: { schema: { type: 'object' } },
});
const scenarios = failurePaths(payout, { id: 'p-1' });
const find = (stepName: string, cause: string, compensations = 'succeed') =>
  scenarios.find(
    (s) => s.step === stepName && s.cause === cause && s.compensations === compensations,
  );

describe('failurePaths: failure targets and steps without compensation', () => {
  it('a step marked noCompensation is never undone; the steps before it are', () => {
    expect(find('audit', 'deadlines')?.expected).to.deep.equal({
      status: 'compensated',
      compensations: ['ledger.Undohold'],
    });
  });

  it('a failure into #failed expects status failed and nothing undone; a cancel still compensates', () => {
    expect(find('pay', 'refused')?.expected).to.deep.equal({ status: 'failed', compensations: [] });
    expect(find('pay', 'deadlines')?.expected).to.deep.equal({
      status: 'failed',
      compensations: [],
    });
    expect(find('pay', 'refused', 'keepFailing')).to.equal(undefined);
    expect(find('pay', 'cancelled')?.expected).to.deep.equal({
      status: 'cancelled',
      compensations: ['ledger.Undopay', 'ledger.Undohold'],
    });
  });

  it('a failure into a state of the author’s own is left out (it cannot be predicted)', () => {
    expect(find('notify', 'refused')).to.equal(undefined);
    expect(find('notify', 'deadlines')).to.equal(undefined);
    expect(find('notify', 'cancelled')?.expected.status).to.equal('cancelled');
  });

  for (const scenario of scenarios) {
    it(scenario.title, () => assertFailurePath(scenario, scenario.run()));
  }
});
