/** Shared inputs and helpers for the order saga tests. */
import { isEnded } from '../../../orchestrator/engine/index.js';
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
 * `record.timers` is the one account of what is armed (the runtime writes the difference between
 * records), so after every applied step it must hold: one timer per id, each fed back as its own
 * event and due no earlier than the step; none once the saga has ended; and a timer that just
 * fired is gone unless the step armed it again (later).
 */
export function assertArmedTimersConsistent(sim: SagaSimulation): void {
  const steps = [
    { event: undefined, now: sim.started.record.createdAt, result: sim.started },
    ...sim.calls,
  ];
  let before = [] as typeof sim.started.record.timers;
  for (const { event, now, result } of steps) {
    if (result.outcome !== 'applied') continue;
    const { record } = result;
    const after = record.timers;
    const fail = (why: string) => {
      throw new Error(`timers after ${JSON.stringify(event ?? 'start')}: ${why}`);
    };
    const ids = after.map((t) => t.timerId);
    if (new Set(ids).size !== ids.length) fail(`an id armed twice: ${ids.join(', ')}`);
    for (const timer of after) {
      if (timer.event.type !== timer.timerId)
        fail(`${timer.timerId} feeds back ${timer.event.type}`);
      const kept = before.find((t) => t.timerId === timer.timerId)?.dueAt === timer.dueAt;
      if (!kept && timer.dueAt < now) fail(`${timer.timerId} armed in the past`);
    }
    if (isEnded(record.status) && after.length > 0) fail(`the ${record.status} saga keeps timers`);
    if (event?.kind === 'timer') {
      const fired = before.find((t) => t.timerId === event.timerId);
      const again = after.find((t) => t.timerId === event.timerId);
      if (fired && again && again.dueAt <= fired.dueAt) fail(`${event.timerId} did not disarm`);
    }
    before = after;
  }
}
