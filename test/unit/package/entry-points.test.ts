/**
 * The package entry points (`exports` in package.json) a definition in its own repository imports:
 * they resolve by the package's name, expose what a definition author uses and nothing of the
 * runtime, and hand out the same objects as the engine (one copy of the vocabulary).
 */
import { expect } from 'chai';

// Imported the way the entry points are (dynamically, through the ESM loader): mocha may load this
// file through require(), whose module instances are not the ESM loader's.
const engine = () => import('../../../orchestrator/engine/index.js');
const engineTesting = () => import('../../../orchestrator/engine/testing/index.js');

describe('package entry points', () => {
  it('saga-orchestrator/definitions: the vocabulary, by name, the engine’s own objects', async () => {
    const definitions = await import('saga-orchestrator/definitions');
    expect(Object.keys(definitions).sort()).to.deep.equal([
      'COMPENSATION_EVENTS',
      'DEFAULT_BACKOFF',
      'DEFAULT_COMPENSATION_MAX_ATTEMPTS',
      'DEFAULT_STEP_MAX_ATTEMPTS',
      'SAGA_DEADLINE_CODE',
      'SAGA_SIGNALS',
      'SAGA_STATE_IDS',
      'attemptsInRun',
      'awaitingTag',
      'backoffDelay',
      'createSagaKit',
      'defineMigration',
      'defineSaga',
      'describeDefinition',
      'outcomeUnknown',
      'sagaDeadline',
      'sagaDeadlineEventType',
      'sagaEndStates',
      'sagaSetup',
      'sagaSignals',
      'sagaStep',
      'sagaStepsOf',
      'statusTag',
      'stepEventTypes',
    ]);
    const { createSagaKit, defineSaga } = await engine();
    expect(definitions.createSagaKit).to.equal(createSagaKit);
    expect(definitions.defineSaga).to.equal(defineSaga);
  });

  it('saga-orchestrator/testing: the simulator and generated paths', async () => {
    const testing = await import('saga-orchestrator/testing');
    const { simulateSaga, stepPaths, compensationOf } = await engineTesting();
    expect(testing.simulateSaga).to.equal(simulateSaga);
    expect(testing.stepPaths).to.equal(stepPaths);
    expect(testing.compensationOf).to.equal(compensationOf);
  });

  it('saga-orchestrator/participant: the participant SDK, the SDK’s own objects', async () => {
    const participant = await import('saga-orchestrator/participant');
    const sdk = await import('../../../participants/sdk/index.js');
    expect(participant.defineParticipant).to.be.a('function');
    expect(participant.defineParticipant).to.equal(sdk.defineParticipant);
    expect(participant.startParticipant).to.equal(sdk.startParticipant);
    expect(participant.kafkaParticipantTransport).to.equal(sdk.kafkaParticipantTransport);
  });

  it('leaves the runtime out (no engine factory, no store, no transport)', async () => {
    const definitions: Record<string, unknown> = await import('saga-orchestrator/definitions');
    for (const internal of [
      'createEngine',
      'erasedSagaSetup',
      'typedStateConfig',
      'commandIdFor',
    ]) {
      expect(definitions, internal).not.to.have.property(internal);
    }
  });
});
