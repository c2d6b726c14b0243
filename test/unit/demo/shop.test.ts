import { expect } from 'chai';
import { createOrderSaga } from '../../../sagas/order/index.js';
import {
  buildShop,
  GENEROUS_CREDIT_LIMIT,
  REGULAR_SKUS,
  SCARCE_SKUS,
} from '../../../scripts/demo/shop.js';

describe('demo shop: orders, stock and credit drawn from a seed', () => {
  const options = { orders: 3000, seed: 'demo', approvalThreshold: 2000 };

  it('gives the same orders for the same seed, other orders for another', () => {
    const first = buildShop(options);
    expect(buildShop(options)).to.deep.equal(first);
    const other = buildShop({ ...options, seed: 'other' });
    expect(other.orders.map((o) => o.input)).to.not.deep.equal(first.orders.map((o) => o.input));
  });

  it('makes valid, distinct order saga inputs', () => {
    const shop = buildShop(options);
    const saga = createOrderSaga();
    expect(new Set(shop.orders.map((o) => o.input.orderId)).size).to.equal(3000);
    for (const order of shop.orders) {
      const check = saga.checkInput(order.input);
      expect(check.ok, JSON.stringify(order.input)).to.equal(true);
      const skus = order.input.items.map((i) => i.sku);
      expect(new Set(skus).size, 'one line per SKU').to.equal(skus.length);
    }
  });

  it('stocks every regular SKU for all its orders and each scarce SKU for about half', () => {
    const shop = buildShop(options);
    const wanted = new Map<string, number>();
    for (const { input } of shop.orders) {
      for (const item of input.items)
        wanted.set(item.sku, (wanted.get(item.sku) ?? 0) + item.quantity);
    }
    for (const [sku] of REGULAR_SKUS) {
      expect(shop.stock[sku], sku).to.be.at.least(wanted.get(sku) ?? 0);
    }
    for (const [sku] of SCARCE_SKUS) {
      const want = wanted.get(sku) ?? 0;
      expect(want, `${sku} is wanted`).to.be.greaterThan(50);
      expect(shop.stock[sku]).to.equal(Math.floor(want / 2));
      expect(shop.scarce.find((s) => s.sku === sku)).to.deep.equal({
        sku,
        wanted: want,
        seeded: Math.floor(want / 2),
      });
    }
  });

  it('gives a few customers a tight budget and sends them several orders each', () => {
    const shop = buildShop(options);
    expect(shop.tightCustomers.length).to.be.within(5, 60);
    expect(shop.defaultCreditLimit).to.equal(GENEROUS_CREDIT_LIMIT);
    const overBudget = shop.tightCustomers.filter((id) => {
      expect(shop.creditLimits[id]).to.equal(shop.tightLimit);
      const spent = shop.orders
        .filter((o) => o.input.customerId === id)
        .reduce((sum, o) => sum + o.input.amount, 0);
      return spent > shop.tightLimit;
    });
    // What makes DECLINED happen: most of them order more than their limit.
    expect(overBudget.length).to.be.at.least(Math.ceil(shop.tightCustomers.length * 0.7));
  });

  it('marks the orders above the approval threshold as bulk, and only those', () => {
    const shop = buildShop(options);
    expect(shop.bulkOrders).to.be.within(10, 80);
    for (const order of shop.orders) {
      expect(order.bulk).to.equal(order.input.amount > options.approvalThreshold);
    }
    expect(
      shop.orders.filter((o) => o.bulk).every((o) => o.input.customerId.startsWith('biz-')),
    ).to.equal(true);
  });

  it('keeps the mix in a run of 200 (the e2e test): scarce SKUs oversold, a tight budget', () => {
    const shop = buildShop({ ...options, orders: 200 });
    for (const scarce of shop.scarce) expect(scarce.seeded).to.be.lessThan(scarce.wanted);
    expect(shop.tightCustomers.length).to.be.at.least(1);
  });

  it('refuses a shop without orders', () => {
    expect(() => buildShop({ ...options, orders: 0 })).to.throw(RangeError, /orders must be >= 1/);
  });
});
