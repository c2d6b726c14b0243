/**
 * The end of a run judged against what each saga actually ended as, not what its order was
 * planned to end as: under faults a saga that could have completed may rightly compensate (a
 * deadline passed), so `check-run.ts`'s exact plan does not apply. What must hold whatever the
 * outcome is what the participants' own state, logs and command ledgers say:
 *
 * - a completed saga holds one reservation, one authorization and one shipment, each made once;
 * - a compensated saga holds none of them (an effect never compensated otherwise); a parked
 *   saga may hold some (an operator decides), but the counters must still add up;
 * - no order was authorized, voided or shipped twice (the payment and shipping logs), and the
 *   inventory reserved exactly the completed orders' items, every other reservation released once;
 * - the examples' invariants hold; every ended saga has nothing pending or armed.
 */
import type { RedisClient } from '../../../orchestrator/store/index.js';
import type { SagaStore } from '../../../orchestrator/store/index.js';
import {
  checkExampleInvariants,
  readInventory,
  readPayment,
  readShipping,
} from '../../../participants/examples/index.js';
import type { PlannedOrder } from './order-run.js';

/** What {@link checkEffects} found. */
export interface EffectFindings {
  /** Sagas by their status at the end (absent sagas are not counted). */
  byStatus: Record<string, number>;
  /** Planned orders the store does not know. */
  missing: string[];
  /** Sagas still running. */
  running: string[];
  /**
   * Effects applied twice, compensations applied twice, effects never compensated on a
   * compensated saga, effects missing on a completed one, broken invariants: one line each.
   */
  doubleEffects: string[];
}

/** Checks the participants' state against each saga's end (run it once nothing is in flight). */
export async function checkEffects(
  store: SagaStore,
  participantsRedis: RedisClient,
  participantsKeyPrefix: string,
  orders: readonly PlannedOrder[],
): Promise<EffectFindings> {
  const findings: EffectFindings = { byStatus: {}, missing: [], running: [], doubleEffects: [] };
  const records = await store.loadMany(orders.map((o) => o.sagaId));
  const options = { keyPrefix: participantsKeyPrefix };
  const [inventory, payment, shipping] = await Promise.all([
    readInventory(participantsRedis, options),
    readPayment(participantsRedis, options),
    readShipping(participantsRedis, options),
  ]);
  const tally = (list: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  };
  const authorized = tally(payment.log.filter((e) => e.op === 'authorize').map((e) => e.orderId));
  const voided = tally(payment.log.filter((e) => e.op === 'void').map((e) => e.orderId));
  const shipped = tally(shipping.log.map((e) => e.orderId));
  const shipments = new Set(shipping.shipments);
  const flaw = (what: string) => findings.doubleEffects.push(what);

  let couldReserve = 0;
  for (const [i, order] of orders.entries()) {
    const record = records[i];
    if (!record) {
      findings.missing.push(order.sagaId);
      continue;
    }
    findings.byStatus[record.status] = (findings.byStatus[record.status] ?? 0) + 1;
    if (record.status === 'running') findings.running.push(order.sagaId);
    else if (record.pending.length > 0 || record.timers.length > 0) {
      flaw(`${order.key}: ended ${record.status} with pending commands or armed timers`);
    }
    const key = order.key;
    if (order.expected !== 'out-of-stock') couldReserve += 1;
    if ((authorized.get(key) ?? 0) > 1) flaw(`${key}: authorized ${authorized.get(key)} times`);
    if ((voided.get(key) ?? 0) > 1) flaw(`${key}: voided ${voided.get(key)} times`);
    if ((shipped.get(key) ?? 0) > 1) flaw(`${key}: shipped ${shipped.get(key)} times`);
    const holds = {
      reservation: inventory.reservations[key] !== undefined,
      authorization: payment.authorizations[key] !== undefined,
      shipment: shipments.has(key),
    };
    if (record.status === 'completed') {
      for (const [effect, held] of Object.entries(holds)) {
        if (!held) flaw(`${key}: completed without its ${effect}`);
      }
    } else if (record.status === 'compensated') {
      for (const [effect, held] of Object.entries(holds)) {
        if (held) flaw(`${key}: compensated but its ${effect} was never undone`);
      }
    }
  }

  // Inventory keeps counters, not a log: what is reserved now must be exactly the items of the
  // orders holding a reservation (completed ones, and parked ones, whose effects wait for an
  // operator), each reservation made at most once per order that could reserve, and every
  // reservation not held released exactly once.
  const same = (what: string, actual: number, expected: number) => {
    if (actual !== expected) flaw(`${what}: ${actual}, expected ${expected}`);
  };
  const holding = orders.filter((o) => inventory.reservations[o.key] !== undefined);
  same(
    'SKU-A reserved',
    inventory.reserved['SKU-A'] ?? 0,
    holding.reduce((sum, o) => sum + (o.input.items[0]?.quantity ?? 0), 0),
  );
  same('SKU-B reserved', inventory.reserved['SKU-B'] ?? 0, holding.length);
  const reservations = inventory.stats.reservations ?? 0;
  if (reservations > couldReserve) {
    flaw(`reservations made: ${reservations}, more than the ${couldReserve} orders that could`);
  }
  same(
    'reservations released',
    inventory.stats.releases ?? 0,
    reservations - Object.keys(inventory.reservations).length,
  );
  for (const violation of await checkExampleInvariants(participantsRedis, options)) {
    flaw(violation);
  }
  return findings;
}
