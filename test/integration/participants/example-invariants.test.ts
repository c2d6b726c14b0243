import { expect } from 'chai';
import {
  checkInventoryInvariants,
  inventoryKeys,
  inventoryParticipant,
  readInventory,
  seedInventory,
} from '../../../participants/examples/inventory/index.js';
import {
  checkPaymentInvariants,
  paymentKeys,
  paymentParticipant,
  readPayment,
  seedPayment,
} from '../../../participants/examples/payment/index.js';
import { useInfra } from '../../support/infra.js';
import { driveParticipant } from './support/drive-participant.js';
import {
  BURST_CREDIT_LIMIT,
  BURST_CUSTOMERS,
  BURST_STOCK,
  runOrderBurst,
} from './support/order-burst.js';

describe('example participants: invariants after a concurrent burst with duplicates (real Redis)', function () {
  this.timeout(120_000);
  const infra = useInfra('example-invariants');

  it('keeps stock, credit and the audit log consistent; every effect happens once', async () => {
    const keyPrefix = infra.key('shop');
    const { redis } = infra;
    await seedInventory(redis, { keyPrefix, stock: BURST_STOCK });
    await seedPayment(redis, {
      keyPrefix,
      creditLimits: Object.fromEntries(BURST_CUSTOMERS.map((c) => [c, BURST_CREDIT_LIMIT])),
    });
    // Two "instances" of each participant share the ledger, as two processes would.
    const drivers = {
      inventory: [0, 1].map(() =>
        driveParticipant(inventoryParticipant({ redis, keyPrefix }), {
          redis,
          ledgerKeyPrefix: inventoryKeys(keyPrefix).base,
        }),
      ),
      payment: [0, 1].map(() =>
        driveParticipant(paymentParticipant({ redis, keyPrefix }), {
          redis,
          ledgerKeyPrefix: paymentKeys(keyPrefix).base,
        }),
      ),
    };
    let turn = 0;
    const tally = await runOrderBurst(150, (participant, command) => {
      const pool = drivers[participant as keyof typeof drivers];
      const driver = pool[turn++ % pool.length];
      if (!driver) throw new Error(`no driver for ${participant}`);
      return driver.reply(command);
    });

    expect(tally.inconsistentReplies).to.equal(0);
    // The burst exercised every path.
    expect(tally.reserved).to.be.greaterThan(20);
    expect(tally.outOfStock).to.be.greaterThan(0);
    expect(tally.authorized).to.be.greaterThan(10);
    expect(tally.declined).to.be.greaterThan(0);
    expect(tally.released).to.be.greaterThan(0);
    expect(tally.voided).to.be.greaterThan(0);
    expect(tally.releasesOfNothing).to.be.greaterThan(0);

    expect(await checkInventoryInvariants(redis, { keyPrefix })).to.deep.equal([]);
    expect(await checkPaymentInvariants(redis, { keyPrefix })).to.deep.equal([]);
    const inventory = await readInventory(redis, { keyPrefix });
    const payment = await readPayment(redis, { keyPrefix });
    // Once each, although every command was delivered three times.
    expect(inventory.stats.reservations).to.equal(tally.reserved);
    expect(inventory.stats.releases).to.equal(tally.released);
    expect(Object.keys(inventory.reservations)).to.have.length(tally.reserved - tally.released);
    expect(payment.stats.authorizations).to.equal(tally.authorized);
    expect(payment.stats.voids).to.equal(tally.voided);
    expect(payment.log.filter((e) => e.op === 'void')).to.have.length(tally.voided);
    expect(payment.stats.voidsOfNothing).to.equal(tally.voidsOfNothing);
  });
});
