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
import {
  checkShippingInvariants,
  readShipping,
  shippingKeys,
  shippingParticipant,
} from '../../../participants/examples/shipping/index.js';
import { systemClock, type Clock } from '../../../participants/sdk/index.js';
import { useInfra } from '../../support/infra.js';
import { driveParticipant, orderCommand } from './support/drive-participant.js';

describe('example participants: state in Redis (real Redis, in-process delivery)', function () {
  const infra = useInfra('examples');
  const keyPrefix = () => infra.key('shop');

  describe('inventory', () => {
    const driver = () =>
      driveParticipant(inventoryParticipant({ redis: infra.redis, keyPrefix: keyPrefix() }), {
        redis: infra.redis,
        ledgerKeyPrefix: inventoryKeys(keyPrefix()).base,
      });

    it('reserves all items or none, refusing with OUT_OF_STOCK', async () => {
      await seedInventory(infra.redis, { keyPrefix: keyPrefix(), stock: { A: 5, B: 1 } });
      const inventory = driver();
      const ok = await inventory.reply(
        orderCommand('ReserveItems', {
          orderId: 'o1',
          items: [
            { sku: 'A', quantity: 2 },
            { sku: 'A', quantity: 1 },
          ],
        }),
      );
      expect(ok).to.deep.include({ outcome: 'success', payload: { reservationId: 'rsv-o1' } });
      const refused = await inventory.reply(
        orderCommand('ReserveItems', {
          orderId: 'o2',
          items: [
            { sku: 'A', quantity: 1 },
            { sku: 'B', quantity: 2 },
          ],
        }),
      );
      expect(refused).to.deep.include({
        outcome: 'failure',
        error: { code: 'OUT_OF_STOCK', message: 'B: 2 requested, 1 available', retryable: false },
      });
      const state = await readInventory(infra.redis, { keyPrefix: keyPrefix() });
      // A lost 3 units to o1 and none to o2: all or nothing.
      expect(state.stock).to.deep.equal({ A: 2, B: 1 });
      expect(state.reservations).to.deep.equal({ o1: { A: 3 } });
      expect(await checkInventoryInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        [],
      );
    });

    it('releases a reservation once; releasing what was never reserved is a successful no-op', async () => {
      await seedInventory(infra.redis, { keyPrefix: keyPrefix(), stock: { C: 4 } });
      const inventory = driver();
      await inventory.reply(
        orderCommand('ReserveItems', { orderId: 'o3', items: [{ sku: 'C', quantity: 4 }] }),
      );
      const release = orderCommand('ReleaseItems', { orderId: 'o3', reservationId: 'rsv-o3' });
      const released = await inventory.reply(release);
      expect(released).to.deep.include({
        outcome: 'success',
        payload: { released: true, reservationId: 'rsv-o3' },
      });
      // The same command again: the recorded reply, no second release.
      expect(await inventory.reply(release)).to.deep.equal(released);
      // Another release of the same order (a new command): nothing left to release.
      const again = await inventory.reply(orderCommand('ReleaseItems', { orderId: 'o3' }));
      expect(again).to.deep.include({ outcome: 'success', payload: { released: false } });
      const never = await inventory.reply(
        orderCommand('ReleaseItems', { orderId: 'never-reserved' }),
      );
      expect(never).to.deep.include({ outcome: 'success', payload: { released: false } });
      const state = await readInventory(infra.redis, { keyPrefix: keyPrefix() });
      expect(state.stock.C).to.equal(4);
      expect(state.stats.releases).to.equal(1);
      expect(state.stats.releasesOfNothing).to.equal(2);
      expect(await checkInventoryInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        [],
      );
    });

    it('the invariant check finds a broken stock', async () => {
      const keys = inventoryKeys(keyPrefix());
      await seedInventory(infra.redis, { keyPrefix: keyPrefix(), stock: { D: 3 } });
      await infra.redis.hincrby(keys.stock, 'D', -1);
      expect(await checkInventoryInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        ['D: stock 2 + reserved 0 != initial 3'],
      );
      await infra.redis.hincrby(keys.stock, 'D', 1);
    });
  });

  describe('payment', () => {
    const driver = () =>
      driveParticipant(paymentParticipant({ redis: infra.redis, keyPrefix: keyPrefix() }), {
        redis: infra.redis,
        ledgerKeyPrefix: paymentKeys(keyPrefix()).base,
      });
    const authorize = (orderId: string, customerId: string, amount: number) =>
      orderCommand('AuthorizePayment', { orderId, customerId, amount, currency: 'EUR' });

    it('authorizes within the credit limit and declines past it', async () => {
      await seedPayment(infra.redis, { keyPrefix: keyPrefix(), creditLimits: { alice: 100 } });
      const payment = driver();
      expect(await payment.reply(authorize('p1', 'alice', 59.9))).to.deep.include({
        outcome: 'success',
        payload: { authorizationId: 'auth-p1' },
      });
      const declined = await payment.reply(authorize('p2', 'alice', 40.2));
      expect(declined).to.deep.include({ outcome: 'failure' });
      if (declined.outcome === 'failure') {
        expect(declined.error).to.deep.include({ code: 'DECLINED', retryable: false });
      }
      const nobody = await payment.reply(authorize('p3', 'bob', 1));
      expect(nobody.outcome === 'failure' && nobody.error.message).to.match(/no credit line/);
      const state = await readPayment(infra.redis, { keyPrefix: keyPrefix() });
      expect(state.used).to.deep.equal({ alice: 5990 });
    });

    it('voids once; a void without an authorization succeeds and is not logged as a void', async () => {
      await seedPayment(infra.redis, { keyPrefix: keyPrefix(), defaultCreditLimit: 1000 });
      const payment = driver();
      await payment.reply(authorize('p4', 'carol', 10));
      const voided = await payment.reply(
        orderCommand('VoidAuthorization', { orderId: 'p4', authorizationId: 'auth-p4' }),
      );
      expect(voided).to.deep.include({
        outcome: 'success',
        payload: { voided: true, authorizationId: 'auth-p4' },
      });
      const nothing = await payment.reply(orderCommand('VoidAuthorization', { orderId: 'p-none' }));
      expect(nothing).to.deep.include({ outcome: 'success', payload: { voided: false } });
      const state = await readPayment(infra.redis, { keyPrefix: keyPrefix() });
      expect(state.log.filter((e) => e.op === 'void').map((e) => e.orderId)).to.deep.equal(['p4']);
      expect(state.used.carol).to.equal(0);
      expect(state.stats.voidsOfNothing).to.equal(1);
      expect(await checkPaymentInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        [],
      );
    });

    it('authorizing an order twice (a retried step) holds the amount once', async () => {
      await seedPayment(infra.redis, { keyPrefix: keyPrefix(), creditLimits: { dave: 50 } });
      const payment = driver();
      const first = await payment.reply(authorize('p5', 'dave', 30));
      const retried = await payment.reply(authorize('p5', 'dave', 30));
      expect(retried.outcome === 'success' && retried.payload).to.deep.equal(
        first.outcome === 'success' && first.payload,
      );
      const state = await readPayment(infra.redis, { keyPrefix: keyPrefix() });
      expect(state.used.dave).to.equal(3000);
      expect(await checkPaymentInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        [],
      );
    });
  });

  describe('shipping', () => {
    const confirm = (orderId: string) =>
      orderCommand('ConfirmOrder', {
        orderId,
        customerId: 'c',
        items: [{ sku: 'A', quantity: 1 }],
      });

    it('confirms once per order', async () => {
      const shipping = driveParticipant(
        shippingParticipant({ redis: infra.redis, keyPrefix: keyPrefix() }),
        { redis: infra.redis, ledgerKeyPrefix: shippingKeys(keyPrefix()).base },
      );
      const command = confirm('s1');
      expect(await shipping.reply(command)).to.deep.include({
        outcome: 'success',
        payload: { shipmentId: 'shp-s1' },
      });
      await shipping.reply(command);
      await shipping.reply(confirm('s1'));
      const state = await readShipping(infra.redis, { keyPrefix: keyPrefix() });
      expect(state.log.map((e) => e.orderId)).to.deep.equal(['s1']);
      expect(await checkShippingInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal(
        [],
      );
    });

    it('fails the configured fraction of calls transiently, reproducibly, then replies retryable', async () => {
      const flaky = (seed: string, run: number) =>
        driveParticipant(
          shippingParticipant({
            redis: infra.redis,
            keyPrefix: keyPrefix(),
            failureRate: 0.5,
            failureSeed: seed,
          }),
          {
            redis: infra.redis,
            // A ledger per run, so the second run executes the same command ids afresh.
            ledgerKeyPrefix: `${shippingKeys(keyPrefix()).base}:${seed}:${run}`,
            retry: { maxTries: 1 },
          },
        );
      const outcomes = async (seed: string, run: number) => {
        const shipping = flaky(seed, run);
        const codes: string[] = [];
        for (let i = 0; i < 40; i++) {
          const reply = await shipping.reply({ ...confirm(`f-${i}`), commandId: `confirm-f-${i}` });
          codes.push(reply.outcome === 'failure' ? reply.error.code : 'ok');
        }
        return codes;
      };
      const first = await outcomes('seed-1', 1);
      const failures = first.filter((o) => o === 'CARRIER_UNAVAILABLE').length;
      expect(failures).to.be.within(8, 32);
      expect(first.filter((o) => o !== 'ok' && o !== 'CARRIER_UNAVAILABLE')).to.deep.equal([]);
      expect(await outcomes('seed-1', 2)).to.deep.equal(first);
      expect(await outcomes('seed-2', 3)).to.not.deep.equal(first);
    });

    it('waits the configured delay on its clock before confirming', async () => {
      const slept: number[] = [];
      // The delay is recorded and skipped; every other wait (the deadline, the lease) is real.
      const clock: Clock = {
        now: () => Date.now(),
        sleep: (ms, signal) => {
          slept.push(ms);
          return ms === 2_500 ? Promise.resolve() : systemClock.sleep(ms, signal);
        },
      };
      const shipping = driveParticipant(
        shippingParticipant({ redis: infra.redis, keyPrefix: keyPrefix(), delayMs: 2_500 }),
        { redis: infra.redis, ledgerKeyPrefix: shippingKeys(keyPrefix()).base, clock },
      );
      expect(await shipping.reply(confirm('slow-1'))).to.deep.include({ outcome: 'success' });
      expect(slept).to.include(2_500);
    });

    it('makes the configured fraction of commands slow, the same ones for the same seed', async () => {
      const SLOW_MS = 7_777;
      const FAST_MS = 3;
      /** Which of 40 commands waited the slow delay, with this seed. */
      const slowOnes = async (seed: string, run: number) => {
        const slowIds: string[] = [];
        let current = '';
        // The slow delay is recorded and skipped; the ordinary delay and every other wait are real.
        const clock: Clock = {
          now: () => Date.now(),
          sleep: (ms, signal) => {
            if (ms === SLOW_MS) {
              slowIds.push(current);
              return Promise.resolve();
            }
            return systemClock.sleep(ms, signal);
          },
        };
        const shipping = driveParticipant(
          shippingParticipant({
            redis: infra.redis,
            keyPrefix: keyPrefix(),
            delayMs: FAST_MS,
            slowRate: 0.25,
            slowDelayMs: SLOW_MS,
            failureSeed: seed,
          }),
          {
            redis: infra.redis,
            ledgerKeyPrefix: `${shippingKeys(keyPrefix()).base}:slow:${run}`,
            clock,
          },
        );
        for (let i = 0; i < 40; i++) {
          current = `confirm-slow-${i}`;
          const reply = await shipping.reply({
            ...confirm(`slow-${run}-${i}`),
            commandId: current,
          });
          expect(reply.outcome).to.equal('success');
        }
        return slowIds;
      };
      const first = await slowOnes('slow-seed-1', 1);
      expect(first.length).to.be.within(3, 20);
      expect(await slowOnes('slow-seed-2', 2)).to.not.deep.equal(first);
      // Same seed and command ids (a fresh ledger and fresh orders): the same commands are slow.
      const again = await slowOnes('slow-seed-1', 3);
      expect(again).to.deep.equal(first);
    });

    it('refuses a slow fraction outside 0..1 and a negative slow delay', () => {
      expect(() =>
        shippingParticipant({ redis: infra.redis, keyPrefix: keyPrefix(), slowRate: 1.5 }),
      ).to.throw(/slowRate must be between 0 and 1/);
      expect(() =>
        shippingParticipant({ redis: infra.redis, keyPrefix: keyPrefix(), slowDelayMs: -1 }),
      ).to.throw(/slowDelayMs must be a number >= 0/);
    });
  });
});
