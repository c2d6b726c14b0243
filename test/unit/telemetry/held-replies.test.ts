import { expect } from 'chai';
import {
  createEngine,
  type SagaEvent,
  type StartResult,
  type StepResult,
} from '../../../orchestrator/engine/index.js';
import { closedCommands } from '../../../orchestrator/telemetry/step-facts.js';
import orderSaga from '../../../sagas/order/index.js';
import { smallOrder } from '../sagas/order-fixtures.js';

const NOW = 1_767_225_600_000;
const audit = { actor: 'alice', role: 'operator' as const };

function applied(result: StepResult | StartResult) {
  if (result.outcome !== 'applied') throw new Error(`not applied: ${result.outcome}`);
  return result;
}

describe('telemetry: a resume closes the commands its held replies answer', () => {
  it('counts a held reply applied on resume as the command’s success, not as abandoned', () => {
    const engine = createEngine([orderSaga]);
    const started = applied(engine.start('order', { sagaId: 'o-1', input: smallOrder, now: NOW }));
    const command = started.record.pending[0];
    if (!command) throw new Error('no pending command');
    const paused = applied(engine.apply(started.record, { kind: 'pause', audit }, NOW + 1));
    const held = applied(
      engine.apply(
        paused.record,
        {
          kind: 'reply',
          reply: {
            commandId: command.commandId,
            sagaId: 'o-1',
            type: command.command,
            outcome: 'success',
          },
        },
        NOW + 2,
      ),
    );
    const resume: SagaEvent = { kind: 'resume', audit };
    const resumed = applied(engine.apply(held.record, resume, NOW + 3));
    expect(
      closedCommands({
        before: held.record,
        after: resumed.record,
        effects: resumed.effects,
        event: resume,
        at: NOW + 3,
      }),
    ).to.deep.equal([{ command, outcome: 'success' }]);
  });
});
