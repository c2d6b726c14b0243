/**
 * The example participants of the order saga (inventory, payment, shipping), for the demo and the
 * tests: start them in-process, seed them, and check their invariants after a run.
 */
import type { RedisClient } from '../sdk/index.js';
import type { RunningParticipant } from '../sdk/index.js';
import type { ExampleParticipantOptions, ExampleStateOptions } from './example-options.js';
import { checkInventoryInvariants, startInventoryParticipant } from './inventory/index.js';
import { checkOrderInvariants } from './order-invariants.js';
import { checkPaymentInvariants, startPaymentParticipant } from './payment/index.js';
import {
  checkShippingInvariants,
  startShippingParticipant,
  type ShippingBehaviour,
} from './shipping/index.js';

export * from './inventory/index.js';
export * from './payment/index.js';
export * from './shipping/index.js';
export * from './order-payloads.js';
export { checkOrderInvariants } from './order-invariants.js';
export {
  DEFAULT_EXAMPLE_KEY_PREFIX,
  exampleKeyBase,
  type ExampleParticipantOptions,
  type ExampleStateOptions,
} from './example-options.js';

export interface ExampleParticipants {
  inventory: RunningParticipant;
  payment: RunningParticipant;
  shipping: RunningParticipant;
  /** Stops all three (gracefully, at once). The transport and Redis stay open. */
  stop(): Promise<void>;
}

/**
 * Starts inventory, payment and shipping in this process, on one transport and one Redis.
 *
 * @example
 * const transport = await kafkaParticipantTransport({ kafka: { brokers } });
 * await seedInventory(redis, { stock: { 'SKU-1': 100 } });
 * await seedPayment(redis, { defaultCreditLimit: 500 });
 * const participants = await startExampleParticipants({ transport, redis, shipping: { delayMs: 50 } });
 */
export async function startExampleParticipants(
  options: ExampleParticipantOptions & { shipping?: ShippingBehaviour },
): Promise<ExampleParticipants> {
  const { shipping: behaviour, ...shared } = options;
  const started = await Promise.allSettled([
    startInventoryParticipant(shared),
    startPaymentParticipant(shared),
    startShippingParticipant({ ...shared, ...behaviour }),
  ]);
  const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(running.map((p) => p.stop()));
    throw failed.reason;
  }
  const [inventory, payment, shipping] = running as [
    RunningParticipant,
    RunningParticipant,
    RunningParticipant,
  ];
  return {
    inventory,
    payment,
    shipping,
    stop: async () => {
      await Promise.all(running.map((p) => p.stop()));
    },
  };
}

/**
 * Every example's invariants at once, and those across them; each violation is prefixed with its
 * service (`inventory: SKU-1: stock 3 + reserved 1 != initial 5`, `order: …` for the ones across
 * services, e.g. an active shipment for an order whose payment was voided). Empty when all hold.
 * Check when no command is in flight.
 */
export async function checkExampleInvariants(
  redis: RedisClient,
  options: ExampleStateOptions = {},
): Promise<string[]> {
  const [inventory, payment, shipping, order] = await Promise.all([
    checkInventoryInvariants(redis, options),
    checkPaymentInvariants(redis, options),
    checkShippingInvariants(redis, options),
    checkOrderInvariants(redis, options),
  ]);
  return [
    ...inventory.map((v) => `inventory: ${v}`),
    ...payment.map((v) => `payment: ${v}`),
    ...shipping.map((v) => `shipping: ${v}`),
    ...order.map((v) => `order: ${v}`),
  ];
}
