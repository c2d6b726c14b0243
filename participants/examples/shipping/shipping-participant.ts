/**
 * The shipping example: `ConfirmOrder` books one shipment per order in Redis. It can be made slow
 * (to exercise the orchestrator's deadlines) and can fail a fraction of its calls transiently (to
 * exercise retries); which calls fail is decided by a seeded hash, so runs are reproducible.
 */
import type { Redis } from 'ioredis';
import {
  defineParticipant,
  loadRedisScript,
  RetryableError,
  startParticipant,
  type HandlerContext,
  type ParticipantDefinition,
  type RunningParticipant,
} from '../../sdk/index.js';
import { ledgerKey, type ExampleParticipantOptions } from '../example-options.js';
import {
  confirmOrderSchema,
  type ConfirmOrderPayload,
  type ConfirmOrderResult,
} from '../order-payloads.js';
import { deterministicFraction } from './deterministic-fraction.js';
import { shippingKeys } from './shipping-keys.js';

const confirmOrder = loadRedisScript(
  'exampleConfirmOrder',
  new URL('./scripts/confirm-order-5.lua', import.meta.url),
);

export const SHIPPING_PARTICIPANT = 'shipping';

/** The code of the transient failures shipping makes up. */
export const CARRIER_UNAVAILABLE = 'CARRIER_UNAVAILABLE';

export interface ShippingBehaviour {
  /** Every call waits this long first (on the participant's clock). @default 0 */
  delayMs?: number;
  /** The fraction of calls, 0 to 1, that fail transiently (`CARRIER_UNAVAILABLE`). @default 0 */
  failureRate?: number;
  /** Which calls fail follows from the seed, the command id and the try. @default 'shipping' */
  failureSeed?: string;
}

export interface ShippingConfig extends ShippingBehaviour {
  redis: Redis;
  /** @default 'saga-example' */
  keyPrefix?: string;
}

/** The shipment id of an order: one shipment per order. */
export const shipmentIdOf = (orderId: string) => `shp-${orderId}`;

/** The shipping participant's definition (handlers bound to `redis`). */
export function shippingParticipant(config: ShippingConfig): ParticipantDefinition {
  const { redis, keyPrefix, delayMs = 0, failureRate = 0, failureSeed = 'shipping' } = config;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new Error(`shipping delayMs must be a number >= 0, got ${delayMs}`);
  }
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new Error(`shipping failureRate must be between 0 and 1, got ${failureRate}`);
  }
  const keys = shippingKeys(keyPrefix);
  return defineParticipant({
    name: SHIPPING_PARTICIPANT,
    handlers: {
      ConfirmOrder: {
        payloadSchema: confirmOrderSchema,
        async handle(payload: ConfirmOrderPayload, ctx: HandlerContext) {
          if (delayMs > 0) await ctx.clock.sleep(delayMs, ctx.signal);
          const label = `${ctx.command.commandId}#${ctx.tryNumber}`;
          if (failureRate > 0 && deterministicFraction(failureSeed, label) < failureRate) {
            throw new RetryableError(CARRIER_UNAVAILABLE, 'the carrier did not answer (simulated)');
          }
          const result: ConfirmOrderResult = { shipmentId: shipmentIdOf(payload.orderId) };
          await confirmOrder(
            redis,
            [keys.shipment(payload.orderId), keys.shipments, keys.log, keys.stats, ledgerKey(ctx)],
            [
              payload.orderId,
              payload.customerId,
              result.shipmentId,
              JSON.stringify(payload.items),
              ctx.ledger.successResult(result),
              ctx.ledger.ttlMs,
              ctx.command.commandId,
              new Date(ctx.clock.now()).toISOString(),
            ],
          );
          return result;
        },
      },
    },
  });
}

/** Runs the shipping participant on `<prefix>.shipping.commands` until `stop()`. */
export function startShippingParticipant(
  options: ExampleParticipantOptions & ShippingBehaviour,
): Promise<RunningParticipant> {
  const { redis, keyPrefix, delayMs, failureRate, failureSeed, ...sdkOptions } = options;
  return startParticipant(
    shippingParticipant({ redis, keyPrefix, delayMs, failureRate, failureSeed }),
    { ...sdkOptions, redis, ledgerKeyPrefix: shippingKeys(keyPrefix).base },
  );
}
