/**
 * Every step of the order saga, reached along paths generated from its statechart graph (not
 * listed by hand): a refusal there undoes exactly the completed steps, last first; running out
 * of deadlines or a cancel there undoes the step itself first.
 */
import { expect } from 'chai';
import {
  compensationOf,
  simulateSaga,
  stepPaths,
  type StepPath,
} from '../../../orchestrator/engine/testing/index.js';
import { sagaStepsOf } from '../../../orchestrator/engine/index.js';
import orderSaga, { STEP_TIMEOUT_MS, type OrderInput } from '../../../sagas/order/index.js';
import { largeOrder, smallOrder } from './order-fixtures.js';

const undo = (steps: string[]) =>
  steps
    .map((step) => compensationOf(orderSaga, step))
    .filter((c) => c !== null)
    .reverse();

function finish(sim: ReturnType<typeof simulateSaga>) {
  while (sim.status === 'running') sim.succeedCompensation();
}

const inputs: [string, OrderInput][] = [
  ['a small order', smallOrder],
  ['a large order (approval)', largeOrder],
];

for (const [label, input] of inputs) {
  describe(`order saga graph: ${label}`, () => {
    const paths: StepPath[] = stepPaths(orderSaga, input, {
      signals: [{ type: 'order.approve' }],
    });

    it('reaches every step of the definition', () => {
      const all = sagaStepsOf(orderSaga.machine).map((s) => s.step);
      expect(paths.map((p) => p.step)).to.have.members(all);
      expect(all).to.have.length(3);
    });

    for (const path of paths) {
      const start = () => {
        const sim = simulateSaga(orderSaga, input);
        path.replay(sim);
        expect(sim.pendingCommand(path.step).attempt).to.equal(1);
        return sim;
      };

      it(`${path.step} refused (${path.description}): undoes ${path.succeeded.length} completed step(s), last first`, () => {
        const sim = start();
        sim.fail(path.step, { code: 'REFUSED' });
        finish(sim);
        expect(sim.status).to.equal('compensated');
        expect(sim.compensationsSent()).to.deep.equal(undo(path.succeeded));
      });

      it(`${path.step} out of deadlines: undoes itself, then the completed steps`, () => {
        const sim = start();
        while (sim.pending.some((c) => c.kind === 'action')) {
          sim.advance(STEP_TIMEOUT_MS);
          if (sim.state.endsWith('.retrying')) sim.advanceToNextTimer();
        }
        finish(sim);
        expect(sim.status).to.equal('compensated');
        expect(sim.compensationsSent()).to.deep.equal(undo([...path.succeeded, path.step]));
      });

      it(`${path.step} cancelled: undoes itself, then the completed steps, ends cancelled`, () => {
        const sim = start();
        sim.signal({ type: 'saga.cancel' });
        finish(sim);
        expect(sim.status).to.equal('cancelled');
        expect(sim.compensationsSent()).to.deep.equal(undo([...path.succeeded, path.step]));
      });
    }
  });
}
