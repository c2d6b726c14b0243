import { expect } from 'chai';
import {
  backoffDelay,
  createSagaKit,
  defineSaga,
  deterministicFraction,
  inputChecker,
} from '../../../orchestrator/engine/index.js';

describe('vocabulary: authoring checks', () => {
  const kit = createSagaKit<{ id: string }>();
  const step = (name: string) =>
    kit.step({
      name,
      participant: 'p',
      command: 'Do',
      timeoutMs: 1_000,
      payload: ({ input }) => ({ id: input.id }),
    });

  it('refuses step names that would break event types or command ids', () => {
    for (const bad of ['a.b', 'has space', '1st', '', 'compensate']) {
      expect(() => step(bad), bad).to.throw(/not usable/);
    }
    expect(() => step('ok_name-2')).to.not.throw();
  });

  it('refuses a deadline that is not positive', () => {
    expect(() =>
      kit.step({ name: 'x', participant: 'p', command: 'C', timeoutMs: 0, payload: () => ({}) }),
    ).to.throw(/timeoutMs must be > 0/);
  });

  it('a machine without the end states is refused: by XState for steps, by defineSaga otherwise', () => {
    expect(() =>
      kit.setup.createMachine({
        id: 'bare',
        context: kit.initialContext,
        initial: 'one',
        states: { one: { ...step('one'), onDone: 'done' }, done: { type: 'final' } },
      }),
    ).to.throw(/'#compensating' does not exist/);
    const machine = kit.setup.createMachine({
      id: 'bare',
      context: kit.initialContext,
      initial: 'done',
      states: { done: { type: 'final' } },
    });
    expect(() =>
      defineSaga({ type: 'bare', version: '1', machine, input: { schema: {} } }),
    ).to.throw(/missing the "compensating" state; spread kit.endStates/);
  });

  it('defineSaga refuses two steps with one name, and a bad type', () => {
    const machine = kit.setup.createMachine({
      id: 'twice',
      context: kit.initialContext,
      initial: 'a',
      states: {
        a: { ...step('same'), onDone: 'b' },
        b: { ...step('same'), onDone: 'completed' },
        ...kit.endStates,
      },
    });
    expect(() =>
      defineSaga({ type: 'twice', version: '1', machine, input: { schema: {} } }),
    ).to.throw(/two steps are named "same"/);
    expect(() =>
      defineSaga({ type: 'Bad Type', version: '1', machine, input: { schema: {} } }),
    ).to.throw(/lower-case/);
  });

  it('inputChecker adds refinements a schema cannot say', () => {
    const check = inputChecker<{ from: number; to: number }>(
      {
        type: 'object',
        required: ['from', 'to'],
        properties: { from: { type: 'number' }, to: { type: 'number' } },
      },
      (v) => (v.from <= v.to ? [] : ['/to must not be before /from']),
    );
    expect(check({ from: 1, to: 2 }).ok).to.equal(true);
    expect(check({ from: 3, to: 2 })).to.deep.equal({
      ok: false,
      errors: ['/to must not be before /from'],
    });
    expect(check({ from: 'x' })).to.deep.include({ ok: false });
  });
});

describe('vocabulary: backoff', () => {
  const policy = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 1_000, jitter: 0 };

  it('grows exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(policy, retry, 's'))).to.deep.equal([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('jitter is deterministic per seed and stays within its share', () => {
    const jittered = { ...policy, jitter: 0.5 };
    const delays = Array.from({ length: 50 }, (_, i) => backoffDelay(jittered, 3, `saga-${i}:s:3`));
    for (const delay of delays) expect(delay).to.be.within(200, 400);
    expect(new Set(delays).size).to.be.greaterThan(10);
    expect(backoffDelay(jittered, 3, 'saga-7:s:3')).to.equal(delays[7]);
    for (const seed of ['', 'a', 'saga-1', 'x'.repeat(1000)]) {
      expect(deterministicFraction(seed)).to.be.within(0, 0.9999999999);
    }
  });
});
