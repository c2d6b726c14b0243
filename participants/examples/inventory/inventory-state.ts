/**
 * The inventory example's state from outside the participant: seeding (the demo and the tests
 * call it before traffic), a snapshot, and the invariants to check after a run.
 */
import type { RedisClient } from '../../sdk/index.js';
import { loadRedisScript } from '../../sdk/index.js';
import type { ExampleStateOptions } from '../example-options.js';
import { inventoryKeys } from './inventory-keys.js';

const seedStock = loadRedisScript(
  'exampleSeedStock',
  new URL('./scripts/seed-stock-3.lua', import.meta.url),
);

export interface InventorySeed extends ExampleStateOptions {
  /** Units available per SKU. */
  stock: Readonly<Record<string, number>>;
}

/** Sets the units available of each SKU in `stock` (the initial stock follows). */
export async function seedInventory(redis: RedisClient, { stock, keyPrefix }: InventorySeed) {
  const entries = Object.entries(stock);
  for (const [sku, units] of entries) {
    if (!Number.isInteger(units) || units < 0) {
      throw new Error(
        `seedInventory: stock of ${sku} must be a non-negative integer, got ${units}`,
      );
    }
  }
  if (entries.length === 0) return;
  const keys = inventoryKeys(keyPrefix);
  await seedStock(redis, [keys.stock, keys.reserved, keys.initial], entries.flat());
}

export interface InventorySnapshot {
  /** Units available per SKU. */
  stock: Record<string, number>;
  /** Units reserved per SKU. */
  reserved: Record<string, number>;
  initial: Record<string, number>;
  /** The units each order holds, per SKU. */
  reservations: Record<string, Record<string, number>>;
  /** Counters: reservations, releases, releasesOfNothing. */
  stats: Record<string, number>;
}

/** Reads the whole inventory state (for tests, the demo's summary and the invariants). */
export async function readInventory(
  redis: RedisClient,
  { keyPrefix }: ExampleStateOptions = {},
): Promise<InventorySnapshot> {
  const keys = inventoryKeys(keyPrefix);
  const [stock, reserved, initial, stats, orderIds] = await Promise.all([
    redis.hgetall(keys.stock),
    redis.hgetall(keys.reserved),
    redis.hgetall(keys.initial),
    redis.hgetall(keys.stats),
    redis.smembers(keys.reservations),
  ]);
  const pipeline = redis.pipeline();
  for (const orderId of orderIds) pipeline.hgetall(keys.reservation(orderId));
  const held = (await pipeline.exec()) ?? [];
  const reservations: Record<string, Record<string, number>> = {};
  orderIds.forEach((orderId, i) => {
    const [error, value] = held[i] ?? [null, {}];
    if (error) throw error;
    reservations[orderId] = numbers(value as Record<string, string>);
  });
  return {
    stock: numbers(stock),
    reserved: numbers(reserved),
    initial: numbers(initial),
    reservations,
    stats: numbers(stats),
  };
}

/**
 * The inventory's invariants; returns what is violated (empty when all hold):
 * - per SKU, units available + units reserved = initial stock, and neither is negative;
 * - per SKU, units reserved = the sum of what the orders' reservations hold;
 * - every order in the index of reservations holds one.
 *
 * Check it when no command is in flight (a snapshot is not one atomic read).
 */
export async function checkInventoryInvariants(
  redis: RedisClient,
  options: ExampleStateOptions = {},
): Promise<string[]> {
  const state = await readInventory(redis, options);
  const violations: string[] = [];
  const skus = new Set([
    ...Object.keys(state.stock),
    ...Object.keys(state.reserved),
    ...Object.keys(state.initial),
  ]);
  const heldPerSku: Record<string, number> = {};
  for (const [orderId, items] of Object.entries(state.reservations)) {
    if (Object.keys(items).length === 0) {
      violations.push(`order ${orderId} is indexed as holding a reservation but holds none`);
    }
    for (const [sku, units] of Object.entries(items)) {
      heldPerSku[sku] = (heldPerSku[sku] ?? 0) + units;
      skus.add(sku);
    }
  }
  for (const sku of [...skus].sort()) {
    const stock = state.stock[sku] ?? 0;
    const reserved = state.reserved[sku] ?? 0;
    const initial = state.initial[sku] ?? 0;
    if (stock + reserved !== initial) {
      violations.push(`${sku}: stock ${stock} + reserved ${reserved} != initial ${initial}`);
    }
    if (stock < 0) violations.push(`${sku}: stock is negative (${stock})`);
    if (reserved < 0) violations.push(`${sku}: reserved is negative (${reserved})`);
    const held = heldPerSku[sku] ?? 0;
    if (held !== reserved) {
      violations.push(`${sku}: reserved ${reserved} != ${held} held by the orders' reservations`);
    }
  }
  return violations;
}

function numbers(hash: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, Number(v)]));
}
