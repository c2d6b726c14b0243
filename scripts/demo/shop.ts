/**
 * The demo's shop: a catalogue, customers with credit limits, and the stream of orders, all drawn
 * from a seed, so two runs with the same seed and size offer the same orders.
 *
 * The mix of outcomes is not chosen here. It follows from the state seeded into the example
 * participants and the demand the orders put on it (DESIGN.md: "outcomes come from the example
 * participants' real state, not from magic inputs"):
 *
 * - two **scarce** SKUs get about half the units their orders ask for: the first orders buy them,
 *   later ones are refused `OUT_OF_STOCK` by inventory;
 * - a few **tight-budget** customers have a small credit limit: their first orders are
 *   authorized, later ones are `DECLINED` by payment once the limit is used up;
 * - a few **bulk** orders cost more than the approval threshold and wait for an operator;
 * - everything else is in stock and within credit, and completes.
 */
import { deterministicFraction } from '../../participants/examples/index.js';
import type { OrderInput, OrderItem } from '../../sagas/order/index.js';

/** Regular SKUs and their prices (EUR): stocked for every order that wants them. */
export const REGULAR_SKUS: ReadonlyArray<readonly [sku: string, price: number]> = [
  ['SKU-TSHIRT', 19.9],
  ['SKU-MUG', 9.5],
  ['SKU-SOCKS', 6],
  ['SKU-CAP', 15],
  ['SKU-HOODIE', 49],
  ['SKU-POSTER', 12],
  ['SKU-STICKERS', 3.5],
  ['SKU-NOTEBOOK', 8],
  ['SKU-BOTTLE', 18],
  ['SKU-TOTE', 11],
  ['SKU-PIN', 4],
  ['SKU-SCARF', 25],
];

/** Scarce SKUs: seeded with about half of what the orders ask for. */
export const SCARCE_SKUS: ReadonlyArray<readonly [sku: string, price: number]> = [
  ['SKU-LTD-SNEAKER', 129],
  ['SKU-SIGNED-VINYL', 59],
];

/** What the shop is made of; every number has a default that gives the mix described above. */
export interface ShopOptions {
  /** How many orders. */
  orders: number;
  /** Orders and customers are drawn from it. */
  seed: string;
  /** Orders above this amount wait for approval (the order saga's `approvalThreshold`). */
  approvalThreshold: number;
  /** Share of orders that also want one unit of a scarce SKU. @default 0.08 */
  scarceShare?: number;
  /** Units of a scarce SKU seeded, as a share of the units its orders want. @default 0.5 */
  scarceSupply?: number;
  /** Share of customers with a tight budget. @default 0.06 */
  tightShare?: number;
  /** Credit limit of a tight-budget customer (EUR). @default 120 */
  tightLimit?: number;
  /** Share of bulk orders (above the approval threshold). @default 0.012 */
  bulkShare?: number;
}

/** Every other customer's limit: far above anything one customer buys in a demo. */
export const GENEROUS_CREDIT_LIMIT = 1_000_000;

export interface ShopOrder {
  /** 1-based position in the stream. */
  n: number;
  input: OrderInput;
  /** Above the approval threshold: an operator decides. */
  bulk: boolean;
}

export interface Shop {
  orders: ShopOrder[];
  /** Units to seed per SKU (inventory). */
  stock: Record<string, number>;
  /** Units the orders want per scarce SKU, next to what is seeded. */
  scarce: Array<{ sku: string; wanted: number; seeded: number }>;
  /** Credit limits to seed (payment): the tight-budget customers. */
  creditLimits: Record<string, number>;
  defaultCreditLimit: number;
  customers: number;
  tightCustomers: string[];
  tightLimit: number;
  bulkOrders: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Builds the shop and its orders; pure (the same options give the same shop). */
export function buildShop(options: ShopOptions): Shop {
  const {
    orders: count,
    seed,
    approvalThreshold,
    scarceShare = 0.08,
    scarceSupply = 0.5,
    tightShare = 0.06,
    tightLimit = 120,
    bulkShare = 0.012,
  } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError('orders must be >= 1');
  /** A number in [0, 1) for this draw: the same seed and label always give the same. */
  const draw = (label: string) => deterministicFraction(seed, label);
  const pick = <T>(list: readonly T[], label: string): T =>
    list[Math.floor(draw(label) * list.length)] as T;

  // About eight orders per customer, so a tight budget runs out within a run of any size.
  const customerCount = Math.max(20, Math.ceil(count / 8));
  const customerId = (k: number) => `cus-${String(k + 1).padStart(4, '0')}`;
  const tightCustomers: string[] = [];
  for (let k = 0; k < customerCount; k++) {
    if (draw(`customer:${k}:tight`) < tightShare) tightCustomers.push(customerId(k));
  }
  if (tightCustomers.length === 0) tightCustomers.push(customerId(0));

  const prices = new Map([...REGULAR_SKUS, ...SCARCE_SKUS]);
  const orders: ShopOrder[] = [];
  const wanted: Record<string, number> = {};
  for (let n = 1; n <= count; n++) {
    const at = `order:${n}`;
    const items: OrderItem[] = [];
    const bulk = draw(`${at}:bulk`) < bulkShare;
    if (bulk) {
      // One regular SKU in a quantity worth 1.1 to 3 times the threshold.
      const [sku, price] = pick(REGULAR_SKUS, `${at}:bulk-sku`);
      const worth = approvalThreshold * (1.1 + 1.9 * draw(`${at}:bulk-size`));
      items.push({ sku, quantity: Math.max(1, Math.ceil(worth / price)) });
    } else {
      const lines = 1 + Math.floor(draw(`${at}:lines`) * 3);
      const first = Math.floor(draw(`${at}:first`) * REGULAR_SKUS.length);
      for (let line = 0; line < lines; line++) {
        // Steps of 5 through 12 SKUs: the lines of one order are distinct SKUs.
        const [sku] = REGULAR_SKUS[
          (first + line * 5) % REGULAR_SKUS.length
        ] as (typeof REGULAR_SKUS)[number];
        items.push({ sku, quantity: 1 + Math.floor(draw(`${at}:qty:${line}`) * 2) });
      }
      if (draw(`${at}:scarce`) < scarceShare) {
        items.push({ sku: pick(SCARCE_SKUS, `${at}:scarce-sku`)[0], quantity: 1 });
      }
    }
    const amount = round2(items.reduce((sum, i) => sum + (prices.get(i.sku) ?? 0) * i.quantity, 0));
    for (const item of items) wanted[item.sku] = (wanted[item.sku] ?? 0) + item.quantity;
    orders.push({
      n,
      bulk: amount > approvalThreshold,
      input: {
        orderId: `ord-${String(n).padStart(6, '0')}`,
        // Bulk orders come from business customers, whose credit covers them.
        customerId: bulk
          ? `biz-${String(n).padStart(4, '0')}`
          : customerId(Math.floor(draw(`${at}:customer`) * customerCount)),
        items,
        amount,
        currency: 'EUR',
      },
    });
  }

  const stock: Record<string, number> = {};
  for (const [sku] of REGULAR_SKUS) {
    // Every unit wanted and a margin: a regular SKU never runs out.
    stock[sku] = Math.ceil((wanted[sku] ?? 0) * 1.1) + 10;
  }
  const scarce = SCARCE_SKUS.map(([sku]) => {
    const want = wanted[sku] ?? 0;
    const seeded = Math.floor(want * scarceSupply);
    stock[sku] = seeded;
    return { sku, wanted: want, seeded };
  });
  return {
    orders,
    stock,
    scarce,
    creditLimits: Object.fromEntries(tightCustomers.map((id) => [id, tightLimit])),
    defaultCreditLimit: GENEROUS_CREDIT_LIMIT,
    customers: customerCount,
    tightCustomers,
    tightLimit,
    bulkOrders: orders.filter((o) => o.bulk).length,
  };
}
