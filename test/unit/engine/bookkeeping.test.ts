/**
 * The vocabulary's merged context updates (one new context per transition instead of two) leave
 * exactly what the two updates did one after the other, key order included (the stored JSON
 * text must not change), and hand the definition's compensation payload the same context.
 */
import { expect } from 'chai';
import {
  beginAttempt,
  beginStep,
  beginStepAttempt,
  recordCompensation,
  stepSucceeded,
} from '../../../orchestrator/engine/vocabulary/bookkeeping.js';
import {
  DEFAULT_BACKOFF,
  newStepProgress,
  type CompensationEntry,
  type SagaContext,
} from '../../../orchestrator/engine/index.js';

type Ctx = SagaContext<unknown>;

function contextWith(steps: Ctx['steps']): Ctx {
  return {
    sagaId: 's-1',
    input: { orderId: 'o-1' },
    phase: 'forward',
    cancelRequested: false,
    steps,
    compensations: [],
    compensated: [],
    data: {},
  };
}

function entryFor(context: Ctx, step: string): CompensationEntry {
  const progress = context.steps[step];
  return {
    step,
    participant: 'p',
    command: 'Undo',
    // Made from what the context says, so a different context gives a different entry.
    payload: { seen: JSON.stringify(progress ?? null) },
    timeoutMs: 1_000,
    maxAttempts: 5,
    backoff: DEFAULT_BACKOFF,
    reason: progress?.result ? 'completed' : 'unknown',
    roundStartAttempt: (progress?.compensationAttempt ?? 0) + 1,
  };
}

/** The context after an XState `assign` of `update` (what the statechart stores). */
const assigned = (context: Ctx, update: Partial<Ctx>): Ctx => Object.assign({}, context, update);

// A step run before: a result, an error, a pending resend and an unknown-outcome entry to drop.
const ranBefore = contextWith({
  other: { ...newStepProgress(), status: 'succeeded', attempt: 1 },
  pay: {
    ...newStepProgress(),
    status: 'failed',
    attempt: 2,
    commandAttempt: 1,
    resendCommand: true,
    retryDelayMs: 40,
    result: { id: 'r-0' },
    error: { code: 'X', message: 'x', retryable: false },
    uncertain: true,
    compensationRecorded: true,
  },
});

describe('vocabulary: merged context updates', () => {
  for (const [name, context] of [
    ['a step entered for the first time', contextWith({})],
    ['a step entered again after a run', ranBefore],
  ] as const) {
    it(`beginStepAttempt = beginStep then beginAttempt: ${name}`, () => {
      const afterBegin = assigned(context, beginStep(context, 'pay'));
      const twoUpdates = assigned(
        afterBegin,
        beginAttempt(afterBegin, 'pay', entryFor(afterBegin, 'pay')),
      );

      const seen: Ctx[] = [];
      const oneUpdate = assigned(
        context,
        beginStepAttempt(context, 'pay', (given) => {
          seen.push(given);
          return entryFor(given, 'pay');
        }),
      );
      expect(JSON.stringify(oneUpdate)).to.equal(JSON.stringify(twoUpdates));
      expect(JSON.stringify(seen)).to.equal(JSON.stringify([afterBegin]));
      expect(oneUpdate.steps.pay?.compensationIfUnknown?.payload).to.deep.equal({
        seen: JSON.stringify(afterBegin.steps.pay),
      });
    });
  }

  it('beginStepAttempt keeps no unknown-outcome entry for a step without a compensation', () => {
    const next = beginStepAttempt(ranBefore, 'pay', () => null).steps.pay;
    expect(next).to.not.have.property('compensationIfUnknown');
    expect(next).to.include({ status: 'inFlight', attempt: 3, runStartAttempt: 3 });
  });

  it('stepSucceeded with its compensation = stepSucceeded then recordCompensation', () => {
    const inFlight = assigned(
      ranBefore,
      beginStepAttempt(ranBefore, 'pay', (given) => entryFor(given, 'pay')),
    );
    const reply = { authorizationId: 'a-1' };
    const afterSuccess = assigned(inFlight, stepSucceeded(inFlight, 'pay', reply));
    const twoUpdates = assigned(
      afterSuccess,
      recordCompensation(afterSuccess, entryFor(afterSuccess, 'pay')),
    );

    const seen: Ctx[] = [];
    const oneUpdate = assigned(
      inFlight,
      stepSucceeded(inFlight, 'pay', reply, (given) => {
        seen.push(given);
        return entryFor(given, 'pay');
      }),
    );
    expect(JSON.stringify(oneUpdate)).to.equal(JSON.stringify(twoUpdates));
    expect(JSON.stringify(seen)).to.equal(JSON.stringify([afterSuccess]));
    expect(oneUpdate.compensations).to.have.length(1);
    expect(oneUpdate.steps.pay).to.include({ status: 'succeeded', compensationRecorded: true });
    expect(oneUpdate.steps.pay?.result).to.equal(reply);
    expect(inFlight.steps.pay).to.have.property('compensationIfUnknown'); // not changed in place
  });

  it('stepSucceeded without a compensation records none', () => {
    const update = stepSucceeded(ranBefore, 'pay', {}, () => null);
    expect(update).to.not.have.property('compensations');
    expect(update.steps.pay).to.include({ status: 'succeeded', compensationRecorded: true });
    expect(stepSucceeded(ranBefore, 'pay', {})).to.not.have.property('compensations');
  });
});
