import { expect } from 'chai';
import { createMachine } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { describeDefinition } from '../../../orchestrator/engine/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { tripSaga } from './trip-saga.js';

const ids = (machine: Parameters<typeof getStateNodes>[0]) =>
  getStateNodes(machine)
    .map((node) => node.id)
    .sort();

describe('engine: definitions as JSON for the API and the visualizer', () => {
  for (const saga of [orderSaga, tripSaga]) {
    it(`${saga.type}: machine.toJSON() and the config survive JSON and rebuild the same statechart`, () => {
      const description = describeDefinition(saga);
      const json = JSON.stringify(description);
      const parsed = JSON.parse(json) as typeof description;
      expect(parsed.type).to.equal(saga.type);
      expect(parsed.definition).to.deep.equal(JSON.parse(JSON.stringify(saga.machine.toJSON())));
      // The config as JSON (functions left out) is what the visualizer imports: it must build
      // a machine with the same states.
      const rebuilt = createMachine(parsed.config as Parameters<typeof createMachine>[0]);
      expect(ids(rebuilt)).to.deep.equal(ids(saga.machine));
    });
  }

  it('lists the order saga’s steps with participants, commands, deadlines and compensations', () => {
    const { steps } = describeDefinition(orderSaga);
    expect(
      steps.map((s) => [s.step, `${s.participant}.${s.command}`, s.compensation?.command ?? null]),
    ).to.deep.equal([
      ['reserveInventory', 'inventory.ReserveItems', 'ReleaseItems'],
      ['authorizePayment', 'payment.AuthorizePayment', 'VoidAuthorization'],
      ['confirmOrder', 'shipping.ConfirmOrder', 'CancelShipment'],
    ]);
    expect(steps[0]).to.include({
      timeoutMs: 10_000,
      maxAttempts: 3,
      stateId: 'order.reserveInventory',
    });
  });

  it('keeps step meta, named actions, guards and delays visible in the exported config', () => {
    const json = JSON.stringify(describeDefinition(orderSaga).config);
    for (const name of [
      'saga.sendCommand',
      'saga.mayRetryStep',
      'saga.retryBackoff',
      'saga.compensationTimeout',
      'needsApproval',
      'status:compensated',
      'awaiting:reserveInventory',
    ]) {
      expect(json, name).to.contain(name);
    }
  });
});
