/**
 * The order saga (type `order`, version `1`): the reference example of the project.
 */
import { defineSaga } from '../../orchestrator/engine/vocabulary/index.js';
import { orderInputSchema, type OrderInput } from './input.js';
import { orderMachine } from './machine.js';

export const orderSaga = defineSaga<OrderInput>({
  type: 'order',
  version: '1',
  description:
    'Reserve the items, authorize the payment, wait for approval above the threshold, confirm the order; undo on failure.',
  machine: orderMachine,
  input: { schema: orderInputSchema },
});

export default orderSaga;
export {
  APPROVAL_THRESHOLD,
  APPROVAL_TIMEOUT_MS,
  STEP_TIMEOUT_MS,
  orderMachine,
} from './machine.js';
export type { OrderSignal } from './machine.js';
export type { OrderInput, OrderItem } from './input.js';
