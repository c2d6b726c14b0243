/**
 * The order saga (type `order`, version `1`): the reference example of the project.
 *
 * @example
 * ```ts
 * import orderSaga, { createOrderSaga } from './sagas/order/index.js';
 * createEngine([orderSaga]); // production timings
 * // The same saga with short deadlines, for integration tests and the demo:
 * createEngine([createOrderSaga({ stepTimeoutMs: 2_000, retry: { backoff: { initialDelayMs: 100 } } })]);
 * ```
 */
import type { SagaDefinition } from '../../orchestrator/engine/index.js';
import { defineSaga } from '../../orchestrator/engine/vocabulary/index.js';
import { orderInputSchema, type OrderInput } from './input.js';
import { createOrderMachine } from './machine.js';
import { compileOrderSagaOptions, type OrderSagaOptions } from './options.js';
import { orderSignals } from './signals.js';

/**
 * The order saga with these timings; every option left out keeps its default. Same type, same
 * version, same statechart: only deadlines, retries and the approval rule differ. Register one
 * order saga per engine. Deadlines are named delays, so they can change while sagas wait.
 */
export function createOrderSaga(options: OrderSagaOptions = {}): SagaDefinition<OrderInput> {
  return defineSaga<OrderInput>({
    type: 'order',
    version: '1',
    description:
      'Reserve the items, authorize the payment, wait for approval above the threshold, confirm the order; undo on failure.',
    machine: createOrderMachine(compileOrderSagaOptions(options)),
    input: { schema: orderInputSchema },
    signals: orderSignals,
  });
}

/** The order saga with its production timings. */
export const orderSaga = createOrderSaga();
/** The statechart of {@link orderSaga}. */
export const orderMachine = orderSaga.machine;

export default orderSaga;
export { APPROVAL_TIMEOUT_DELAY, createOrderMachine } from './machine.js';
export * from './contracts.js';
export { orderSignals } from './signals.js';
export {
  APPROVAL_THRESHOLD,
  APPROVAL_TIMEOUT_MS,
  compileOrderSagaOptions,
  ORDER_STEP_RETRY,
  STEP_TIMEOUT_MS,
  type CompiledOrderSagaOptions,
  type OrderSagaOptions,
} from './options.js';
export type { OrderSignal } from './machine.js';
export type { OrderInput, OrderItem } from './input.js';
