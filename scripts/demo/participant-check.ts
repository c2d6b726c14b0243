/**
 * After the run, the example participants' own state in Redis is checked two ways: their
 * invariants (stock + reserved = initial, credit used = live authorizations, no order shipped
 * twice, no shipment for a refunded order, …) and their agreement with the sagas: the orders whose
 * saga completed are exactly the orders that hold a reservation, a payment authorization and an
 * active shipment, and every other order holds none of them (its compensations undid them).
 */
import type { RedisClient } from '../../orchestrator/store/index.js';
import {
  checkExampleInvariants,
  readInventory,
  readPayment,
  readShipping,
} from '../../participants/examples/index.js';
import type { SagaOutcome } from './outcomes.js';
import type { Shop } from './shop.js';

export interface ParticipantReport {
  /** Invariant violations (empty when they hold). */
  violations: string[];
  /** Disagreements between the sagas' outcomes and the participants' state (empty when none). */
  disagreements: string[];
  /** Orders holding a reservation / an authorization / an active shipment. */
  held: { reservations: number; authorizations: number; shipments: number };
  /** Scarce SKUs: units seeded, wanted and left. */
  scarce: Array<{ sku: string; seeded: number; wanted: number; left: number }>;
  /** Credit of the tight-budget customers: held by their authorizations, and their limits (EUR). */
  tightCredit: { used: number; limit: number };
  /** Shipping confirms refused because the order had been cancelled first (late confirms). */
  confirmsRefused: number;
}

const SHOWN = 5;

export async function checkParticipants(
  redis: RedisClient,
  keyPrefix: string,
  shop: Shop,
  outcomes: readonly SagaOutcome[],
): Promise<ParticipantReport> {
  const options = { keyPrefix };
  const [violations, inventory, payment, shipping] = await Promise.all([
    checkExampleInvariants(redis, options),
    readInventory(redis, options),
    readPayment(redis, options),
    readShipping(redis, options),
  ]);

  const completed = new Set(outcomes.filter((o) => o.status === 'completed').map((o) => o.orderId));
  const disagreements: string[] = [];
  const compare = (what: string, held: Iterable<string>) => {
    const holding = new Set(held);
    const missing = [...completed].filter((id) => !holding.has(id));
    const extra = [...holding].filter((id) => !completed.has(id));
    if (missing.length > 0) {
      disagreements.push(
        `${missing.length} completed order(s) without ${what}: ${missing.slice(0, SHOWN).join(', ')}`,
      );
    }
    if (extra.length > 0) {
      disagreements.push(
        `${extra.length} order(s) that did not complete still hold ${what}: ${extra.slice(0, SHOWN).join(', ')}`,
      );
    }
    return holding.size;
  };
  const held = {
    reservations: compare('a reservation', Object.keys(inventory.reservations)),
    authorizations: compare('a payment authorization', Object.keys(payment.authorizations)),
    shipments: compare('an active shipment', shipping.shipments),
  };

  // Payment keeps minor units (cents).
  const tightCredit = { used: 0, limit: 0 };
  for (const id of shop.tightCustomers) {
    tightCredit.used += (payment.used[id] ?? 0) / 100;
    tightCredit.limit += (payment.limits[id] ?? 0) / 100;
  }

  return {
    violations,
    disagreements,
    held,
    scarce: shop.scarce.map(({ sku, seeded, wanted }) => ({
      sku,
      seeded,
      wanted,
      left: inventory.stock[sku] ?? 0,
    })),
    tightCredit,
    confirmsRefused: shipping.stats.confirmsRefused ?? 0,
  };
}
