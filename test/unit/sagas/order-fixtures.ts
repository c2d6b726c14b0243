/** Shared inputs and helpers for the order saga tests. */
import { simulateSaga, type SagaSimulation } from '../../../orchestrator/engine/testing/index.js';
import orderSaga, { APPROVAL_THRESHOLD, type OrderInput } from '../../../sagas/order/index.js';

export const smallOrder: OrderInput = {
  orderId: 'order-1',
  customerId: 'customer-1',
  items: [
    { sku: 'sku-a', quantity: 2 },
    { sku: 'sku-b', quantity: 1 },
  ],
  amount: 120.5,
  currency: 'EUR',
};

export const largeOrder: OrderInput = { ...smallOrder, amount: APPROVAL_THRESHOLD + 1 };

export function simulateOrder(input: OrderInput = smallOrder): SagaSimulation {
  return simulateSaga(orderSaga, input);
}

export const release = 'inventory.ReleaseItems';
export const voidAuthorization = 'payment.VoidAuthorization';
export const cancelShipment = 'shipping.CancelShipment';

/** Drives a fresh order saga to `step`'s first attempt by succeeding every step before it. */
export function orderAt(
  step: 'reserveInventory' | 'authorizePayment' | 'confirmOrder',
  input: OrderInput = smallOrder,
): SagaSimulation {
  const sim = simulateOrder(input);
  if (step === 'reserveInventory') return sim;
  sim.succeed('reserveInventory', { reservationId: 'res-1' });
  if (step === 'authorizePayment') return sim;
  sim.succeed('authorizePayment', { authorizationId: 'auth-1' });
  if (input.amount > APPROVAL_THRESHOLD) sim.signal({ type: 'order.approve' });
  return sim;
}

/**
 * `record.timers` must follow the effects: the timers before a step, minus a fired one, with the
 * step's setTimer/cancelTimer effects applied in order, are the timers after it.
 */
export function assertTimersFollowEffects(sim: SagaSimulation): void {
  let timers = sim.started.record.timers;
  for (const call of sim.calls) {
    if (call.result.outcome !== 'applied') continue;
    let expected = [...timers];
    if (call.input.kind === 'timer') {
      const firedId = call.input.timerId;
      expected = expected.filter((t) => t.timerId !== firedId);
    }
    for (const effect of call.result.effects) {
      if (effect.type === 'setTimer') {
        expected = [...expected.filter((t) => t.timerId !== effect.timer.timerId), effect.timer];
      } else if (effect.type === 'cancelTimer') {
        if (!expected.some((t) => t.timerId === effect.timerId)) {
          throw new Error(`cancel of a timer that is not armed: ${effect.timerId}`);
        }
        expected = expected.filter((t) => t.timerId !== effect.timerId);
      }
    }
    const actual = call.result.record.timers;
    const key = (list: typeof actual) =>
      JSON.stringify([...list].sort((a, b) => (a.timerId < b.timerId ? -1 : 1)));
    if (key(actual) !== key(expected)) {
      throw new Error(
        `timers out of step after ${JSON.stringify(call.input)}: ${key(actual)} vs ${key(expected)}`,
      );
    }
    timers = actual;
  }
}
