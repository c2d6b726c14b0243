/**
 * Order saga inputs for tests: every call makes a new order id, so tests never share an order.
 */
import { randomBytes } from 'node:crypto';
import type { OrderInput } from '../../sagas/order/index.js';

export interface OrderInputOptions {
  /** @default 100 */
  amount?: number;
  /** @default 'SKU-1' */
  sku?: string;
  /** @default 1 */
  quantity?: number;
  /** @default a new customer per order */
  customerId?: string;
}

export function orderInput(options: OrderInputOptions = {}): OrderInput {
  const suffix = randomBytes(4).toString('hex');
  return {
    orderId: `ord-${suffix}`,
    customerId: options.customerId ?? `cus-${suffix}`,
    items: [{ sku: options.sku ?? 'SKU-1', quantity: options.quantity ?? 1 }],
    amount: options.amount ?? 100,
    currency: 'EUR',
  };
}
