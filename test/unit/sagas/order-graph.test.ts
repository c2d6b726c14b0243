/**
 * Every step of the order saga, reached along paths generated from its statechart graph (not
 * listed by hand), fails every way `failurePaths` knows — refused, out of deadlines, cancelled,
 * and each with its first compensation stuck — and ends as the compensation rules say. The
 * expectations are also checked against the rule written out here, so a bug in the generator
 * cannot pass unnoticed: a refusal undoes exactly the completed steps, last first; running out
 * of deadlines or a cancel undoes the step itself first.
 */
import { expect } from 'chai';
import {
  assertFailurePath,
  compensationOf,
  failurePaths,
  type FailurePath,
} from '../../../orchestrator/engine/testing/index.js';
import { sagaStepsOf } from '../../../orchestrator/engine/index.js';
import orderSaga, { type OrderInput } from '../../../sagas/order/index.js';
import { largeOrder, smallOrder } from './order-fixtures.js';

const undo = (steps: string[]) =>
  steps
    .map((step) => compensationOf(orderSaga, step))
    .filter((c) => c !== null)
    .reverse();

/** The compensation rule of sagas/README.md, written out independently of the generator. */
function ruleFor(scenario: FailurePath): string[] {
  const { succeeded, step } = scenario.path;
  const all = scenario.cause === 'refused' ? undo(succeeded) : undo([...succeeded, step]);
  return scenario.compensations === 'succeed' ? all : all.slice(0, 1);
}

const inputs: [string, OrderInput][] = [
  ['a small order', smallOrder],
  ['a large order (approval)', largeOrder],
];

for (const [label, input] of inputs) {
  describe(`order saga graph: ${label}`, () => {
    const scenarios = failurePaths(orderSaga, input, { signals: [{ type: 'order.approve' }] });

    it('reaches every step of the definition, each failing every way', () => {
      const all = sagaStepsOf(orderSaga.machine).map((s) => s.step);
      expect(all).to.have.length(3);
      for (const step of all) {
        const ways = scenarios.filter((s) => s.step === step).map((s) => s.cause);
        expect(ways, step).to.include.members(['refused', 'deadlines', 'cancelled']);
      }
      // Every step but a refused first one leaves something to undo, so it can park.
      expect(scenarios.filter((s) => s.compensations === 'keepFailing')).to.have.length(
        scenarios.length - scenarios.filter((s) => s.compensations === 'keepFailing').length - 1,
      );
    });

    for (const scenario of scenarios) {
      it(scenario.title, () => {
        expect(scenario.expected.compensations).to.deep.equal(ruleFor(scenario));
        assertFailurePath(scenario, scenario.run());
      });
    }
  });
}
