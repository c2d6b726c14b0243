/**
 * The definition check, rule by rule, on small bad definitions built with the kit; the order
 * saga passes it and the trip saga's uncompensated charge is caught.
 */
import { expect } from 'chai';
import type { AnyStateMachine } from 'xstate';
import { createSagaKit, defineSaga, type StepOptions } from '../../../orchestrator/engine/index.js';
import {
  checkDefinition,
  hasErrors,
  type DefinitionFinding,
  type DefinitionRule,
} from '../../../orchestrator/engine/lint/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { tripSaga } from '../engine/trip-saga.js';

interface Input {
  id: string;
}
const kit = createSagaKit<Input>();

const stepOptions = (
  name: string,
  extra: Partial<StepOptions<Input>> = {},
): StepOptions<Input> => ({
  name,
  participant: 'ledger',
  command: 'Credit',
  timeoutMs: 1_000,
  payload: ({ input }) => ({ id: input.id }),
  compensation: { command: 'Debit', payload: ({ input }) => ({ id: input.id }) },
  ...extra,
});

/** A one-step saga whose root states can be added to or replaced. */
function sagaWith(
  states: Record<string, unknown>,
  implementations: { delays?: Record<string, number> } = {},
): AnyStateMachine {
  const config = {
    id: 'refund',
    context: kit.initialContext,
    initial: 'credit',
    on: kit.signals,
    states: {
      credit: { ...kit.step(stepOptions('credit')), onDone: 'completed' },
      ...states,
      ...kit.endStates,
    },
  };
  // Erased on purpose: the bad definitions are what the kit's types would (rightly) refuse.
  const loose = kit.setup.extend(implementations) as unknown as {
    createMachine(config: unknown): AnyStateMachine;
  };
  return loose.createMachine(config);
}

/** The findings of one rule, except the unnamed step deadlines main's kit still has. */
const findingsOf = (machine: AnyStateMachine, rule: DefinitionRule): DefinitionFinding[] =>
  checkDefinition({ machine }).filter((f) => f.rule === rule);

/** Every finding but the step deadlines' `timer-named` (named on the stepTimeout branch). */
const beyondStepDeadlines = (findings: DefinitionFinding[]) =>
  findings.filter((f) => !(f.rule === 'timer-named' && f.path.endsWith('.attempting')));

describe('checkDefinition: the definition lint', () => {
  describe('step-compensation', () => {
    it('rejects a definition with a step that has no compensation (the acceptance criterion)', () => {
      const machine = sagaWith({
        credit: {
          ...kit.step(stepOptions('credit', { compensation: undefined })),
          onDone: 'completed',
        },
      });
      const definition = defineSaga<Input>({
        type: 'refund',
        version: '1',
        machine,
        input: { schema: { type: 'object' } },
      });
      const findings = checkDefinition(definition);
      expect(hasErrors(findings)).to.equal(true);
      expect(findingsOf(machine, 'step-compensation')).to.deep.equal([
        {
          rule: 'step-compensation',
          severity: 'error',
          path: 'refund.credit',
          step: 'credit',
          message:
            'step "credit" (ledger.Credit) has no compensation: add one, or mark it noCompensation: { reason } when it needs none (its outcome can be unknown after a deadline, and nothing would undo it)',
        },
      ]);
    });

    it('accepts a step marked noCompensation with a reason; refuses an empty reason and both at once', () => {
      const marked = (extra: Partial<StepOptions<Input>>) =>
        findingsOf(
          sagaWith({ credit: { ...kit.step(stepOptions('credit', extra)), onDone: 'completed' } }),
          'step-compensation',
        ).map((f) => f.message);
      expect(
        marked({ compensation: undefined, noCompensation: { reason: 'read-only' } }),
      ).to.deep.equal([]);
      expect(marked({ compensation: undefined, noCompensation: { reason: ' ' } })).to.deep.equal([
        'step "credit" is marked noCompensation without a reason; say why it needs no undo',
      ]);
      expect(marked({ noCompensation: { reason: 'read-only' } })).to.deep.equal([
        'step "credit" has a compensation and is marked noCompensation; keep one',
      ]);
    });
  });

  it('step-attempts: retry.maxAttempts below 1 (or not whole) is an error', () => {
    for (const maxAttempts of [0, -1, 1.5]) {
      const machine = sagaWith({
        credit: {
          ...kit.step(stepOptions('credit', { retry: { maxAttempts } })),
          onDone: 'completed',
        },
      });
      expect(
        findingsOf(machine, 'step-attempts').map((f) => f.step),
        String(maxAttempts),
      ).to.deep.equal(['credit']);
    }
    expect(findingsOf(sagaWith({}), 'step-attempts')).to.deep.equal([]);
  });

  it('step-deadline: a step whose attempting state lost its "after" waits forever', () => {
    const step = kit.step(stepOptions('credit')) as { states: { attempting: { after?: unknown } } };
    const { after: _after, ...attempting } = step.states.attempting;
    const machine = sagaWith({
      credit: { ...step, states: { ...step.states, attempting }, onDone: 'completed' },
    });
    expect(findingsOf(machine, 'step-deadline')).to.deep.include({
      rule: 'step-deadline',
      severity: 'error',
      path: 'refund.credit.attempting',
      step: 'credit',
      message:
        'step "credit" waits for its reply with no deadline (no "after" on its attempting state)',
    });
    expect(findingsOf(sagaWith({}), 'step-deadline')).to.deep.equal([]);
  });

  it('step-failure-path: a step whose failure never leaves it is an error', () => {
    const step = kit.step(stepOptions('credit')) as {
      states: { attempting: { on: Record<string, unknown> } };
    };
    const on = step.states.attempting.on;
    const machine = sagaWith({
      credit: {
        ...step,
        states: {
          ...step.states,
          // The failure stays inside the step (a hand edit that drops the onFailure exit).
          attempting: {
            ...step.states.attempting,
            on: { ...on, 'step.credit.failed': { target: 'retrying' } },
          },
        },
        onDone: 'completed',
      },
    });
    const findings = findingsOf(machine, 'step-failure-path');
    expect(findings.map((f) => f.message)).to.deep.equal([
      'step "credit" has no way out when it fails (step.credit.failed never leave the step); give it an onFailure target',
    ]);
    expect(findingsOf(sagaWith({}), 'step-failure-path')).to.deep.equal([]);
  });

  it('unreachable-state: a state no transition enters (the kit end states are exempt)', () => {
    const machine = sagaWith({
      orphan: { ...kit.step(stepOptions('orphan')), onDone: 'completed' },
    });
    expect(findingsOf(machine, 'unreachable-state').map((f) => f.path)).to.deep.equal([
      'refund.orphan',
    ]);
    // `failed` is never entered here either, but it belongs to the kit.
    expect(findingsOf(sagaWith({}), 'unreachable-state')).to.deep.equal([]);
  });

  it('unreachable-state: #id targets and parallel regions are followed', () => {
    const machine = sagaWith({
      credit: { ...kit.step(stepOptions('credit')), onDone: '#refund-both' },
      both: {
        id: 'refund-both',
        type: 'parallel',
        states: {
          left: kit.step(stepOptions('left')),
          right: kit.step(stepOptions('right')),
        },
        onDone: 'completed',
      },
    });
    expect(findingsOf(machine, 'unreachable-state')).to.deep.equal([]);
  });

  it('done-handled: a step without onDone (or a parallel state without one) would rest in done forever', () => {
    const forgotten = sagaWith({ credit: kit.step(stepOptions('credit')) });
    expect(findingsOf(forgotten, 'done-handled').map((f) => f.path)).to.deep.equal([
      'refund.credit',
    ]);
    const regions = (onDone: object) =>
      sagaWith({
        credit: { ...kit.step(stepOptions('credit')), onDone: 'both' },
        both: {
          type: 'parallel',
          states: { left: kit.step(stepOptions('left')), right: kit.step(stepOptions('right')) },
          ...onDone,
        },
      });
    expect(findingsOf(regions({}), 'done-handled').map((f) => f.path)).to.deep.equal([
      'refund.both',
    ]);
    expect(findingsOf(regions({ onDone: 'completed' }), 'done-handled')).to.deep.equal([]);
    expect(findingsOf(sagaWith({}), 'done-handled')).to.deep.equal([]);
  });

  it('timer-named: an "after" keyed by a number is an error; a named delay passes', () => {
    const wait = (after: Record<string, unknown>) => ({
      credit: { ...kit.step(stepOptions('credit')), onDone: 'waiting' },
      waiting: { on: { 'refund.go': 'completed' }, after },
    });
    const numeric = sagaWith(wait({ 60000: '#compensating' }));
    expect(
      findingsOf(numeric, 'timer-named').filter((f) => f.path === 'refund.waiting'),
    ).to.have.length(1);
    const named = sagaWith(wait({ 'refund.wait': '#compensating' }), {
      delays: { 'refund.wait': 60_000 },
    });
    expect(
      findingsOf(named, 'timer-named').filter((f) => f.path === 'refund.waiting'),
    ).to.deep.equal([]);
    expect(findingsOf(named, 'delay-defined')).to.deep.equal([]);
  });

  it('timer-named: reports the kit step deadline truthfully (numeric on main, named once it is)', () => {
    const deadlines = findingsOf(sagaWith({}), 'timer-named');
    const attempting = sagaWith({}).getStateNodeById('refund.credit.attempting');
    const numeric = Object.keys(attempting.config.after ?? {}).some((key) => /^\d+$/.test(key));
    expect(deadlines.map((f) => f.path)).to.deep.equal(numeric ? ['refund.credit.attempting'] : []);
  });

  it('delay-defined: an "after" naming a delay the machine does not implement', () => {
    const machine = sagaWith({
      credit: { ...kit.step(stepOptions('credit')), onDone: 'waiting' },
      waiting: { on: { 'refund.go': 'completed' }, after: { 'refund.wait': '#compensating' } },
    });
    expect(findingsOf(machine, 'delay-defined').map((f) => f.path)).to.deep.equal([
      'refund.waiting',
    ]);
  });

  it('guard-defined and action-defined: names setup() does not implement', () => {
    const machine = sagaWith({
      credit: {
        ...kit.step(stepOptions('credit')),
        onDone: [{ guard: 'isLarge', target: 'completed' }, { target: 'completed' }],
        exit: [{ type: 'notifyTeam' }],
      },
    });
    expect(findingsOf(machine, 'guard-defined').map((f) => f.message)).to.deep.equal([
      'the guard "isLarge" is not implemented (setup({ guards })): the transition throws when taken',
    ]);
    expect(findingsOf(machine, 'action-defined').map((f) => f.message)).to.deep.equal([
      'the action "notifyTeam" is not implemented (setup({ actions })): it would do nothing, silently',
    ]);
    expect(findingsOf(sagaWith({}), 'guard-defined')).to.deep.equal([]);
    expect(findingsOf(sagaWith({}), 'action-defined')).to.deep.equal([]);
  });

  it('wait-without-deadline: a signal wait with no "after" is a warning, not an error', () => {
    const machine = sagaWith({
      credit: { ...kit.step(stepOptions('credit')), onDone: 'waiting' },
      waiting: { on: { 'refund.go': 'completed' } },
    });
    const findings = checkDefinition({ machine });
    expect(findingsOf(machine, 'wait-without-deadline')).to.deep.equal([
      {
        rule: 'wait-without-deadline',
        severity: 'warning',
        path: 'refund.waiting',
        message:
          'a saga in "refund.waiting" waits for an event with no deadline; add an "after" (a named delay) so it cannot wait forever',
      },
    ]);
    expect(hasErrors(beyondStepDeadlines(findings))).to.equal(false);
  });

  it('XState itself refuses a signal handler that targets a missing state, when the module loads', () => {
    expect(() =>
      sagaWith({
        credit: {
          ...kit.step(stepOptions('credit')),
          on: { 'refund.go': '#nowhere' },
          onDone: 'completed',
        },
      }),
    ).to.throw(/nowhere/);
  });

  it('the order saga passes, apart from its unnamed step deadlines (named on another branch)', () => {
    const findings = checkDefinition(orderSaga);
    expect(beyondStepDeadlines(findings)).to.deep.equal([]);
    expect(findings.every((f) => f.rule === 'timer-named')).to.equal(true);
  });

  it('the trip saga: its charge has no compensation and no noCompensation mark', () => {
    const findings = beyondStepDeadlines(checkDefinition(tripSaga));
    expect(findings.map((f) => [f.rule, f.step])).to.deep.equal([['step-compensation', 'charge']]);
  });
});
