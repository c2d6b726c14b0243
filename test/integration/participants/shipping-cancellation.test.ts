/**
 * The shipping example's compensation, CancelShipment, against a confirm in any order (real
 * Redis, in-process delivery). ConfirmOrder is the order saga's last step; when its deadlines all
 * pass the saga cancels it, while shipping may still confirm (a slow handler the SDK stopped
 * waiting for, or a command still on its way). Whatever the interleaving, a cancelled order never
 * keeps a shipment — a regression test for the refunded order that shipped anyway.
 */
import { expect } from 'chai';
import {
  checkOrderInvariants,
  checkShippingInvariants,
  ORDER_CANCELLED,
  readShipping,
  shippingKeys,
  shippingParticipant,
} from '../../../participants/examples/index.js';
import { systemClock, type Clock } from '../../../participants/sdk/index.js';
import { until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { driveParticipant, orderCommand } from './support/drive-participant.js';

const SHIPPING_DELAY_MS = 2_500;

/**
 * A clock whose shipping delay lasts until the test opens the gate; every other wait (the
 * command's deadline, the claim's lease) is real.
 */
function gatedClock() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const inDelay = new Promise<void>((resolve) => (entered = resolve));
  const clock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) => {
      if (ms !== SHIPPING_DELAY_MS) return systemClock.sleep(ms, signal);
      entered();
      return gate;
    },
  };
  return { clock, inDelay, open };
}

describe('shipping example: CancelShipment against ConfirmOrder in any order (real Redis)', function () {
  this.timeout(60_000);
  const infra = useInfra('shipping-cancel');
  // A shop per test, so each test's counters start at zero.
  let shop = 0;
  beforeEach(() => void shop++);
  const keyPrefix = () => infra.key(`shop-${shop}`);
  const shipping = (clock?: Clock) =>
    driveParticipant(
      shippingParticipant({
        redis: infra.redis,
        keyPrefix: keyPrefix(),
        ...(clock ? { delayMs: SHIPPING_DELAY_MS } : {}),
      }),
      {
        redis: infra.redis,
        ledgerKeyPrefix: shippingKeys(keyPrefix()).base,
        ...(clock ? { clock } : {}),
      },
    );
  const confirm = (orderId: string, overrides: Parameters<typeof orderCommand>[2] = {}) =>
    orderCommand(
      'ConfirmOrder',
      { orderId, customerId: 'c-1', items: [{ sku: 'A', quantity: 1 }] },
      overrides,
    );
  const cancel = (orderId: string, shipmentId?: string) =>
    orderCommand('CancelShipment', { orderId, ...(shipmentId ? { shipmentId } : {}) });
  const state = () => readShipping(infra.redis, { keyPrefix: keyPrefix() });
  const invariants = () => checkShippingInvariants(infra.redis, { keyPrefix: keyPrefix() });

  it('cancel before confirm: a no-op apart from the tombstone; the confirm is refused and books nothing', async () => {
    const driver = shipping();
    const cancelled = await driver.reply(cancel('early-1'));
    expect(cancelled).to.deep.include({ outcome: 'success', payload: { cancelled: false } });
    const refused = await driver.reply(confirm('early-1'));
    expect(refused).to.deep.include({ outcome: 'failure' });
    expect(refused.outcome === 'failure' && refused.error).to.deep.include({
      code: ORDER_CANCELLED,
      retryable: false,
    });
    const after = await state();
    expect(after.shipments).to.not.include('early-1');
    expect(after.cancelled).to.include('early-1');
    expect(after.log.map((e) => e.orderId)).to.not.include('early-1');
    expect(after.stats).to.include({ cancellationsOfNothing: 1, confirmsRefused: 1 });
    expect(await invariants()).to.deep.equal([]);
  });

  it('cancel after confirm: cancels the shipment once; a later confirm of the order is refused', async () => {
    const driver = shipping();
    expect(await driver.reply(confirm('late-1'))).to.deep.include({ outcome: 'success' });
    expect((await state()).shipments).to.include('late-1');

    const command = cancel('late-1', 'shp-late-1');
    const cancelled = await driver.reply(command);
    expect(cancelled).to.deep.include({
      outcome: 'success',
      payload: { cancelled: true, shipmentId: 'shp-late-1' },
    });
    // The same command again: the recorded reply. A new cancel of the order: nothing left.
    expect(await driver.reply(command)).to.deep.equal(cancelled);
    expect(await driver.reply(cancel('late-1'))).to.deep.include({
      outcome: 'success',
      payload: { cancelled: false },
    });
    // A retried confirm (a new command) of the cancelled order.
    const retried = await driver.reply(confirm('late-1', { attempt: 2 }));
    expect(retried.outcome === 'failure' && retried.error.code).to.equal(ORDER_CANCELLED);

    const after = await state();
    expect(after.shipments).to.not.include('late-1');
    expect(after.log.filter((e) => e.orderId === 'late-1')).to.have.length(1);
    expect(after.stats).to.include({ shipments: 1, cancellations: 1, cancellationsOfNothing: 1 });
    const shipment = await infra.redis.hgetall(shippingKeys(keyPrefix()).shipment('late-1'));
    expect(shipment).to.include({ shipmentId: 'shp-late-1', status: 'cancelled' });
    expect(shipment.cancelCommandId).to.equal(command.commandId);
    expect(await invariants()).to.deep.equal([]);
  });

  it('confirm slow, cancel arrives meanwhile: the confirm finishes after the cancel and is refused', async () => {
    const { clock, inDelay, open } = gatedClock();
    const driver = shipping(clock);
    const confirming = driver.reply(confirm('slow-1'));
    await inDelay; // the confirm's handler is running (in its delay)
    const cancelled = await driver.reply(cancel('slow-1'));
    expect(cancelled).to.deep.include({ outcome: 'success', payload: { cancelled: false } });
    open();
    const refused = await confirming;
    expect(refused.outcome === 'failure' && refused.error).to.deep.include({
      code: ORDER_CANCELLED,
      retryable: false,
    });
    const after = await state();
    expect(after.shipments).to.not.include('slow-1');
    expect(after.log.map((e) => e.orderId)).to.not.include('slow-1');
    expect(await invariants()).to.deep.equal([]);
  });

  it('confirm slower than its deadline: the SDK stops waiting, the cancel goes through, the confirm that finishes later books nothing', async () => {
    const { clock, inDelay, open } = gatedClock();
    const driver = shipping(clock);
    const command = confirm('hung-1', { expiresAt: new Date(Date.now() + 1_000).toISOString() });
    const delivered = driver.deliver(command);
    await inDelay;
    // At expiresAt the SDK gives up on the handler (it cannot stop it) and the partition moves on.
    expect((await delivered).disposition).to.deep.equal({ kind: 'expired' });
    expect(await driver.reply(cancel('hung-1'))).to.deep.include({
      outcome: 'success',
      payload: { cancelled: false },
    });
    open(); // the abandoned handler now runs its script
    await until(
      'the abandoned confirm to reach Redis',
      async () => (await state()).stats.confirmsRefused === 1,
    );
    const after = await state();
    expect(after.shipments).to.not.include('hung-1');
    expect(after.log.map((e) => e.orderId)).to.not.include('hung-1');
    expect(after.cancelled).to.include('hung-1');
    expect(await invariants()).to.deep.equal([]);
  });

  it('the invariant checks find an active shipment for a cancelled or refunded order', async () => {
    const driver = shipping();
    await driver.reply(confirm('broken-1'));
    // What a confirm without the tombstone check could leave: cancelled, yet shipping.
    await infra.redis.sadd(shippingKeys(keyPrefix()).cancelled, 'broken-1');
    expect(await invariants()).to.deep.equal([
      'order broken-1 was cancelled but has an active shipment',
    ]);
    // No authorization nor reservation for it either (payment and inventory never saw it).
    expect(await checkOrderInvariants(infra.redis, { keyPrefix: keyPrefix() })).to.deep.equal([
      'order broken-1 has an active shipment but no payment authorization',
      'order broken-1 has an active shipment but no reservation',
    ]);
  });
});
