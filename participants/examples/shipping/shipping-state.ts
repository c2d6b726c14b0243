/** The shipping example's state from outside the participant: a snapshot and the invariants. */
import type { RedisClient } from '../../sdk/index.js';
import type { ExampleStateOptions } from '../example-options.js';
import { shippingKeys } from './shipping-keys.js';

export interface ShipmentLogEntry {
  orderId: string;
  customerId: string;
  shipmentId: string;
  commandId: string;
  at: string;
}

export interface ShippingSnapshot {
  /** Order ids with an active shipment (booked, not cancelled). */
  shipments: string[];
  /** Order ids whose shipment was cancelled (tombstones: a later confirm is refused). */
  cancelled: string[];
  /** One entry per shipment booked (cancelled ones included). */
  log: ShipmentLogEntry[];
  /**
   * Counters: shipments (booked), cancellations (of an active shipment), cancellationsOfNothing,
   * confirmsRefused (confirms of a cancelled order).
   */
  stats: Record<string, number>;
}

export async function readShipping(
  redis: RedisClient,
  { keyPrefix }: ExampleStateOptions = {},
): Promise<ShippingSnapshot> {
  const keys = shippingKeys(keyPrefix);
  const [shipments, cancelled, log, stats] = await Promise.all([
    redis.smembers(keys.shipments),
    redis.smembers(keys.cancelled),
    redis.lrange(keys.log, 0, -1),
    redis.hgetall(keys.stats),
  ]);
  return {
    shipments: shipments.sort(),
    cancelled: cancelled.sort(),
    log: log.map((line) => JSON.parse(line) as ShipmentLogEntry),
    stats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Number(v)])),
  };
}

/**
 * The shipping invariants; returns what is violated (empty when all hold): no order is shipped
 * twice, every order the log shows as shipped has an active shipment or was cancelled, every
 * active shipment is in the log, and no order that was cancelled has an active shipment (a
 * refunded order must not ship).
 */
export async function checkShippingInvariants(
  redis: RedisClient,
  options: ExampleStateOptions = {},
): Promise<string[]> {
  const state = await readShipping(redis, options);
  const violations: string[] = [];
  const logged = new Set<string>();
  for (const entry of state.log) {
    if (logged.has(entry.orderId)) violations.push(`order ${entry.orderId} shipped twice`);
    logged.add(entry.orderId);
  }
  const live = new Set(state.shipments);
  const cancelled = new Set(state.cancelled);
  for (const orderId of logged) {
    if (!live.has(orderId) && !cancelled.has(orderId)) {
      violations.push(`order ${orderId} was shipped but has no shipment`);
    }
  }
  for (const orderId of live) {
    if (!logged.has(orderId)) violations.push(`order ${orderId} has a shipment the log lacks`);
    if (cancelled.has(orderId)) {
      violations.push(`order ${orderId} was cancelled but has an active shipment`);
    }
  }
  return violations;
}
