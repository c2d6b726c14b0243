/** The shipping example's state from outside the participant: a snapshot and the invariants. */
import type { Redis } from 'ioredis';
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
  /** Order ids with a shipment. */
  shipments: string[];
  log: ShipmentLogEntry[];
  /** Counters: shipments. */
  stats: Record<string, number>;
}

export async function readShipping(
  redis: Redis,
  { keyPrefix }: ExampleStateOptions = {},
): Promise<ShippingSnapshot> {
  const keys = shippingKeys(keyPrefix);
  const [shipments, log, stats] = await Promise.all([
    redis.smembers(keys.shipments),
    redis.lrange(keys.log, 0, -1),
    redis.hgetall(keys.stats),
  ]);
  return {
    shipments: shipments.sort(),
    log: log.map((line) => JSON.parse(line) as ShipmentLogEntry),
    stats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Number(v)])),
  };
}

/**
 * The shipping invariants; returns what is violated (empty when all hold): no order is shipped
 * twice, and the orders with a shipment are exactly those the log shows.
 */
export async function checkShippingInvariants(
  redis: Redis,
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
  for (const orderId of logged) {
    if (!live.has(orderId)) violations.push(`order ${orderId} was shipped but has no shipment`);
  }
  for (const orderId of live) {
    if (!logged.has(orderId)) violations.push(`order ${orderId} has a shipment the log lacks`);
  }
  return violations;
}
