import {
  inventoryKeys,
  inventoryParticipant,
  paymentKeys,
  paymentParticipant,
  shippingKeys,
  shippingParticipant,
} from '../../../participants/examples/index.js';
import { useInfra } from '../../support/infra.js';
import { driveParticipant, type Driver } from './support/drive-participant.js';
import { expectBurstConsistent, runOrderBurst, seedBurst } from './support/order-burst.js';

describe('example participants: invariants after a concurrent burst with duplicates (real Redis, in-process)', function () {
  this.timeout(120_000);
  const infra = useInfra('example-invariants');

  it('keeps stock, credit, shipments and the audit logs consistent; every effect happens once', async () => {
    const keyPrefix = infra.key('shop');
    const { redis } = infra;
    await seedBurst(redis, keyPrefix);
    // Two "instances" of each participant share the ledger, as two processes would.
    const twice = (make: () => Driver) => [make(), make()];
    const drivers: Record<string, Driver[]> = {
      inventory: twice(() =>
        driveParticipant(inventoryParticipant({ redis, keyPrefix }), {
          redis,
          ledgerKeyPrefix: inventoryKeys(keyPrefix).base,
        }),
      ),
      payment: twice(() =>
        driveParticipant(paymentParticipant({ redis, keyPrefix }), {
          redis,
          ledgerKeyPrefix: paymentKeys(keyPrefix).base,
        }),
      ),
      shipping: twice(() =>
        driveParticipant(
          shippingParticipant({ redis, keyPrefix, failureRate: 0.3, failureSeed: 'burst' }),
          { redis, ledgerKeyPrefix: shippingKeys(keyPrefix).base, retry: { maxTries: 1 } },
        ),
      ),
    };
    let turn = 0;
    const tally = await runOrderBurst(150, (participant, command) => {
      const pool = drivers[participant] ?? [];
      const driver = pool[turn++ % pool.length];
      if (!driver) throw new Error(`no driver for ${participant}`);
      return driver.reply(command);
    });
    await expectBurstConsistent(redis, keyPrefix, tally);
  });
});
