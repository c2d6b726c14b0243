/**
 * The order every benchmark saga carries: two items and an amount well under the approval
 * threshold, so the saga is exactly the three steps reserve → authorize → confirm.
 */
import type { JsonObject } from '../../wire/contract/messages.js';
import { APPROVAL_THRESHOLD } from '../../sagas/order/index.js';

const AMOUNT = 125.5;
if (AMOUNT > APPROVAL_THRESHOLD) throw new Error('the bench order must not wait for approval');

export function orderInput(sagaId: string): JsonObject {
  return {
    orderId: `order-${sagaId}`,
    customerId: 'customer-42',
    items: [
      { sku: 'SKU-RED-SHIRT', quantity: 2 },
      { sku: 'SKU-BLUE-MUG', quantity: 1 },
    ],
    amount: AMOUNT,
    currency: 'EUR',
  };
}
