/**
 * A burst of order-saga traffic for the example participants, with duplicates on purpose: every
 * command is delivered twice at once and once more afterwards. Each order runs its steps in
 * order, as its saga would (reserve, authorize, confirm, or undo what was done: a confirm that
 * never succeeded is cancelled first, as its outcome is unknown); orders run concurrently.
 * Choices come from a seeded hash, so a run is reproducible.
 *
 * Which orders get stock and credit depends on how the concurrent orders interleave, so a path
 * that needs a reserved and authorized order must not draw from the contended stock: the orders
 * the seed picks to be cancelled while their confirm is in flight shop from a spare shelf (its
 * own SKU and customer, more than enough of both), and always reach shipping. A CI run once saw
 * `confirmsRefused` at 0 because none of those orders had won its stock.
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import type { CommandMessage, ReplyMessage } from '../../../../wire/contract/index.js';
import {
  checkExampleInvariants,
  deterministicFraction,
  ORDER_CANCELLED,
  readInventory,
  readPayment,
  readShipping,
  seedInventory,
  seedPayment,
} from '../../../../participants/examples/index.js';
import { orderCommand } from './drive-participant.js';

export const BURST_SKUS = ['S0', 'S1', 'S2', 'S3', 'S4'];
export const BURST_STOCK = Object.fromEntries(BURST_SKUS.map((sku) => [sku, 40]));
export const BURST_CUSTOMERS = Array.from({ length: 12 }, (_, i) => `cust-${i}`);
export const BURST_CREDIT_LIMIT = 400;
/** The spare shelf of the orders cancelled while their confirm is in flight: never short. */
export const SPARE_SKU = 'SPARE';
export const SPARE_CUSTOMER = 'cust-spare';
const SPARE_STOCK = 1_000;
const SPARE_CREDIT_LIMIT = 1_000_000;

/** Sends a command to its participant and resolves with the reply for it. */
export type Deliver = (participant: string, command: CommandMessage) => Promise<ReplyMessage>;

export interface BurstTally {
  reserved: number;
  outOfStock: number;
  authorized: number;
  declined: number;
  released: number;
  voided: number;
  releasesOfNothing: number;
  voidsOfNothing: number;
  shipped: number;
  /** CancelShipment of an active shipment. */
  shipmentsCancelled: number;
  /** CancelShipment with nothing to cancel (before the confirm, or after it never succeeded). */
  cancelsOfNothing: number;
  /** ConfirmOrder after CancelShipment, refused with ORDER_CANCELLED. */
  confirmsRefused: number;
  /** Orders that sent CancelShipment before ConfirmOrder (each confirm must be refused). */
  cancelsBeforeConfirm: number;
  /** ConfirmOrder attempts answered with a retryable failure (each retried with a new command). */
  shippingRetries: number;
  /** Pairs of deliveries of one command that got different replies (must stay 0). */
  inconsistentReplies: number;
}

export async function runOrderBurst(
  orders: number,
  deliver: Deliver,
  seed = 'burst',
): Promise<BurstTally> {
  const tally: BurstTally = {
    reserved: 0,
    outOfStock: 0,
    authorized: 0,
    declined: 0,
    released: 0,
    voided: 0,
    releasesOfNothing: 0,
    voidsOfNothing: 0,
    shipped: 0,
    shipmentsCancelled: 0,
    cancelsOfNothing: 0,
    confirmsRefused: 0,
    cancelsBeforeConfirm: 0,
    shippingRetries: 0,
    inconsistentReplies: 0,
  };
  /** Twice at once, then once more: all three replies must be the same. */
  const deliverWithDuplicates = async (participant: string, command: CommandMessage) => {
    const [a, b] = await Promise.all([
      deliver(participant, command),
      deliver(participant, command),
    ]);
    const c = await deliver(participant, command);
    if (JSON.stringify(a) !== JSON.stringify(b) || JSON.stringify(a) !== JSON.stringify(c)) {
      tally.inconsistentReplies++;
    }
    return a;
  };
  const pick = (label: string) => deterministicFraction(seed, label);

  const runOrder = async (n: number) => {
    const orderId = `ord-${n}`;
    const sagaId = `saga-${seed}-${n}`;
    // Cancelled while its confirm is in flight (< 0.2): before the confirm (< 0.1) or after it.
    const cancelWhen = pick(`${n}:cancel`);
    const cancelledInFlight = cancelWhen < 0.2 && pick(`${n}:undo`) >= 0.3;
    const customerId = cancelledInFlight
      ? SPARE_CUSTOMER
      : (BURST_CUSTOMERS[Math.floor(pick(`${n}:customer`) * BURST_CUSTOMERS.length)] ?? 'cust-0');
    const items = cancelledInFlight
      ? [{ sku: SPARE_SKU, quantity: 1 }]
      : BURST_SKUS.filter((_, i) => pick(`${n}:sku:${i}`) < 0.4).map((sku, i) => ({
          sku,
          quantity: 1 + Math.floor(pick(`${n}:qty:${i}`) * 4),
        }));
    if (items.length === 0) items.push({ sku: 'S0', quantity: 1 });
    const amount = Math.round(pick(`${n}:amount`) * 15_000) / 100;
    // Command ids derived as the saga derives them (never from a counter shared by the
    // concurrent orders), so shipping's simulated failures, chosen by command id, are the seed's.
    const ids = (label: string, attempt = 1) => ({
      sagaId,
      commandId: `${sagaId}.${label}.${attempt}`,
      attempt,
    });

    // Some compensations arrive for orders that never reserved anything.
    if (pick(`${n}:ghost`) < 0.1) {
      const ghost = await deliverWithDuplicates(
        'inventory',
        orderCommand('ReleaseItems', { orderId, items }, ids('ghostRelease')),
      );
      if (ghost.outcome === 'success' && ghost.payload?.released === false)
        tally.releasesOfNothing++;
      const ghostVoid = await deliverWithDuplicates(
        'payment',
        orderCommand('VoidAuthorization', { orderId, customerId, amount }, ids('ghostVoid')),
      );
      if (ghostVoid.outcome === 'success' && ghostVoid.payload?.voided === false)
        tally.voidsOfNothing++;
    }

    const reserve = await deliverWithDuplicates(
      'inventory',
      orderCommand('ReserveItems', { orderId, customerId, items }, ids('reserve')),
    );
    if (reserve.outcome === 'failure') {
      tally.outOfStock++;
      return;
    }
    tally.reserved++;
    const authorize = await deliverWithDuplicates(
      'payment',
      orderCommand(
        'AuthorizePayment',
        { orderId, customerId, amount, currency: 'EUR' },
        ids('authorize'),
      ),
    );
    const undo = authorize.outcome === 'failure' || pick(`${n}:undo`) < 0.3;
    if (authorize.outcome === 'failure') tally.declined++;
    else tally.authorized++;
    if (!undo) {
      // Some sagas are cancelled while their confirm is in flight: shipping sees the cancel
      // before the confirm, or after the confirm succeeded.
      const cancelShipment = async () => {
        const cancelled = await deliverWithDuplicates(
          'shipping',
          orderCommand('CancelShipment', { orderId }, ids('cancelShipment')),
        );
        if (cancelled.outcome === 'success' && cancelled.payload?.cancelled === true) {
          tally.shipmentsCancelled++;
        } else if (cancelled.outcome === 'success') tally.cancelsOfNothing++;
      };
      if (cancelWhen < 0.1) {
        // The confirm goes out only once the cancel's reply is in: the order is forced, not raced.
        await cancelShipment();
        tally.cancelsBeforeConfirm++;
        // The saga retries a transient shipping failure with a new command until shipping
        // answers for the order itself: refused, as it was cancelled.
        for (let attempt = 1; attempt <= 4; attempt++) {
          const late = await deliverWithDuplicates(
            'shipping',
            orderCommand('ConfirmOrder', { orderId, customerId, items }, ids('confirm', attempt)),
          );
          if (late.outcome === 'success') {
            tally.shipped++; // would break the invariants
            break;
          }
          if (late.error.code === ORDER_CANCELLED) {
            tally.confirmsRefused++;
            break;
          }
          tally.shippingRetries++;
        }
      } else {
        // The saga retries a transient shipping failure with a new command, a few times.
        let confirmed = false;
        for (let attempt = 1; attempt <= 4 && !confirmed; attempt++) {
          const confirm = await deliverWithDuplicates(
            'shipping',
            orderCommand('ConfirmOrder', { orderId, customerId, items }, ids('confirm', attempt)),
          );
          if (confirm.outcome === 'success') confirmed = true;
          else tally.shippingRetries++;
        }
        if (confirmed && cancelWhen >= 0.2) {
          tally.shipped++;
          return;
        }
        // Cancelled after confirming, or shipping never confirmed (its outcome is unknown):
        // compensate, as the saga would, shipping first.
        await cancelShipment();
      }
    }
    if (authorize.outcome === 'success') {
      const voided = await deliverWithDuplicates(
        'payment',
        orderCommand('VoidAuthorization', { orderId, customerId, amount }, ids('void')),
      );
      if (voided.outcome === 'success' && voided.payload?.voided === true) tally.voided++;
    }
    const released = await deliverWithDuplicates(
      'inventory',
      orderCommand('ReleaseItems', { orderId, items }, ids('release')),
    );
    if (released.outcome === 'success' && released.payload?.released === true) tally.released++;
  };

  await Promise.all(Array.from({ length: orders }, (_, n) => runOrder(n)));
  return tally;
}

/** Seeds the example participants' state for a burst under `keyPrefix`. */
export async function seedBurst(redis: Redis, keyPrefix: string): Promise<void> {
  await seedInventory(redis, { keyPrefix, stock: { ...BURST_STOCK, [SPARE_SKU]: SPARE_STOCK } });
  await seedPayment(redis, {
    keyPrefix,
    creditLimits: {
      ...Object.fromEntries(BURST_CUSTOMERS.map((c) => [c, BURST_CREDIT_LIMIT])),
      [SPARE_CUSTOMER]: SPARE_CREDIT_LIMIT,
    },
  });
}

/**
 * What must hold after a burst: the invariants, every path exercised, and every effect counted
 * once although each command was delivered three times.
 */
export async function expectBurstConsistent(
  redis: Redis,
  keyPrefix: string,
  tally: BurstTally,
): Promise<void> {
  expect(tally.inconsistentReplies).to.equal(0);
  expect(tally.reserved).to.be.greaterThan(20);
  expect(tally.outOfStock).to.be.greaterThan(0);
  expect(tally.authorized).to.be.greaterThan(10);
  expect(tally.declined).to.be.greaterThan(0);
  expect(tally.released).to.be.greaterThan(0);
  expect(tally.voided).to.be.greaterThan(0);
  expect(tally.releasesOfNothing).to.be.greaterThan(0);
  expect(tally.shipped).to.be.greaterThan(0);
  expect(tally.shippingRetries).to.be.greaterThan(0);
  expect(tally.shipmentsCancelled).to.be.greaterThan(0);
  expect(tally.cancelsOfNothing).to.be.greaterThan(0);
  // The seed sends some orders down this path and the spare shelf lets each of them reach it.
  expect(tally.cancelsBeforeConfirm).to.be.greaterThan(0);
  expect(tally.confirmsRefused).to.equal(tally.cancelsBeforeConfirm);

  expect(await checkExampleInvariants(redis, { keyPrefix })).to.deep.equal([]);
  const inventory = await readInventory(redis, { keyPrefix });
  const payment = await readPayment(redis, { keyPrefix });
  const shipping = await readShipping(redis, { keyPrefix });
  expect(inventory.stats.reservations).to.equal(tally.reserved);
  expect(inventory.stats.releases).to.equal(tally.released);
  expect(Object.keys(inventory.reservations)).to.have.length(tally.reserved - tally.released);
  expect(payment.stats.authorizations).to.equal(tally.authorized);
  expect(payment.stats.voids).to.equal(tally.voided);
  expect(payment.log.filter((e) => e.op === 'void')).to.have.length(tally.voided);
  expect(payment.stats.voidsOfNothing).to.equal(tally.voidsOfNothing);
  const booked = tally.shipped + tally.shipmentsCancelled;
  expect(shipping.stats.shipments).to.equal(booked);
  expect(shipping.log).to.have.length(booked);
  expect(shipping.shipments).to.have.length(tally.shipped);
  expect(shipping.stats.cancellations).to.equal(tally.shipmentsCancelled);
  expect(shipping.stats.cancellationsOfNothing).to.equal(tally.cancelsOfNothing);
  expect(shipping.stats.confirmsRefused).to.equal(tally.confirmsRefused);
  expect(shipping.cancelled).to.have.length(tally.shipmentsCancelled + tally.cancelsOfNothing);
}
