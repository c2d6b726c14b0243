/**
 * What must hold across the three examples when the order saga drives them: an order that ships
 * is an order that is paid for and whose items are set aside. The saga's compensations run
 * CancelShipment before VoidAuthorization and ReleaseItems, and shipping refuses a confirm after a
 * cancel, so a refunded order never keeps an active shipment.
 */
import type { RedisClient } from '../sdk/index.js';
import type { ExampleStateOptions } from './example-options.js';
import { readInventory } from './inventory/inventory-state.js';
import { readPayment } from './payment/payment-state.js';
import { readShipping } from './shipping/shipping-state.js';

/** Violations (empty when all hold). Check when no command is in flight. */
export async function checkOrderInvariants(
  redis: RedisClient,
  options: ExampleStateOptions = {},
): Promise<string[]> {
  const [inventory, payment, shipping] = await Promise.all([
    readInventory(redis, options),
    readPayment(redis, options),
    readShipping(redis, options),
  ]);
  const violations: string[] = [];
  for (const orderId of shipping.shipments) {
    if (!payment.authorizations[orderId]) {
      violations.push(`order ${orderId} has an active shipment but no payment authorization`);
    }
    if (!inventory.reservations[orderId]) {
      violations.push(`order ${orderId} has an active shipment but no reservation`);
    }
  }
  return violations;
}
