/**
 * The shipping example: `ConfirmOrder` books one shipment per order in Redis; `CancelShipment`
 * (its compensation) cancels it and leaves a tombstone, so a confirm that arrives or finishes
 * later is refused with `ORDER_CANCELLED` (terminal) and books nothing. ConfirmOrder can be made
 * slow (every call, or a fraction of the calls, to exercise the orchestrator's deadlines) and can
 * fail a fraction of its calls transiently (to exercise retries); which calls are slow or fail is
 * decided by a seeded hash, so runs are reproducible.
 *
 * A slow confirm is what makes the tombstone necessary: the SDK stops waiting for a handler at
 * its command's `expiresAt` but cannot stop the handler, so the saga may give up, compensate and
 * cancel while the confirm is still sleeping. The confirm's script checks the tombstone and books
 * in one atomic step, so whatever the interleaving no shipment exists for a cancelled order.
 */
import type { RedisClient } from '../../sdk/index.js';
import {
  BusinessError,
  defineParticipant,
  loadRedisScript,
  RetryableError,
  startParticipant,
  stringArray,
  type HandlerContext,
  type ParticipantDefinition,
  type RunningParticipant,
} from '../../sdk/index.js';
import { ledgerKey, type ExampleParticipantOptions } from '../example-options.js';
import {
  cancelShipmentSchema,
  confirmOrderSchema,
  type CancelShipmentPayload,
  type CancelShipmentResult,
  type ConfirmOrderPayload,
  type ConfirmOrderResult,
} from '../order-payloads.js';
import { deterministicFraction } from './deterministic-fraction.js';
import { shippingKeys } from './shipping-keys.js';

const script = (name: string) => new URL(`./scripts/${name}`, import.meta.url);
const confirmOrder = loadRedisScript('exampleConfirmOrder', script('confirm-order-6.lua'));
const cancelShipment = loadRedisScript('exampleCancelShipment', script('cancel-shipment-5.lua'));

export const SHIPPING_PARTICIPANT = 'shipping';

/** The code of the transient failures shipping makes up. */
export const CARRIER_UNAVAILABLE = 'CARRIER_UNAVAILABLE';
/** The code of the refusal to confirm an order whose shipment was cancelled. */
export const ORDER_CANCELLED = 'ORDER_CANCELLED';

export interface ShippingBehaviour {
  /** Every call waits this long first (on the participant's clock). @default 0 */
  delayMs?: number;
  /** The fraction of calls, 0 to 1, that fail transiently (`CARRIER_UNAVAILABLE`). @default 0 */
  failureRate?: number;
  /**
   * Which calls fail follows from the seed, the command id and the try; which are slow, from the
   * seed and the command id (so every delivery of one command is as slow as the first).
   * @default 'shipping'
   */
  failureSeed?: string;
  /**
   * The fraction of commands, 0 to 1, that are slow: they wait `slowDelayMs` instead of
   * `delayMs`. A slow call longer than the step's deadline makes the saga time out and retry
   * (a retry is a new command, with its own draw). @default 0
   */
  slowRate?: number;
  /** How long a slow call waits (on the participant's clock). @default 0 */
  slowDelayMs?: number;
}

export interface ShippingConfig extends ShippingBehaviour {
  redis: RedisClient;
  /** @default 'saga-example' */
  keyPrefix?: string;
}

/** The shipment id of an order: one shipment per order. */
export const shipmentIdOf = (orderId: string) => `shp-${orderId}`;

/** The shipping participant's definition (handlers bound to `redis`). */
export function shippingParticipant(config: ShippingConfig): ParticipantDefinition {
  const {
    redis,
    keyPrefix,
    delayMs = 0,
    failureRate = 0,
    failureSeed = 'shipping',
    slowRate = 0,
    slowDelayMs = 0,
  } = config;
  for (const [name, value] of [
    ['delayMs', delayMs],
    ['slowDelayMs', slowDelayMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`shipping ${name} must be a number >= 0, got ${value}`);
    }
  }
  for (const [name, value] of [
    ['failureRate', failureRate],
    ['slowRate', slowRate],
  ] as const) {
    if (!(value >= 0 && value <= 1)) {
      throw new Error(`shipping ${name} must be between 0 and 1, got ${value}`);
    }
  }
  /** How long this command waits: slow ones are chosen per command, not per try. */
  const waitFor = (commandId: string) =>
    slowRate > 0 && deterministicFraction(failureSeed, `slow:${commandId}`) < slowRate
      ? slowDelayMs
      : delayMs;
  const keys = shippingKeys(keyPrefix);
  return defineParticipant({
    name: SHIPPING_PARTICIPANT,
    handlers: {
      ConfirmOrder: {
        payloadSchema: confirmOrderSchema,
        async handle(payload: ConfirmOrderPayload, ctx: HandlerContext) {
          const wait = waitFor(ctx.command.commandId);
          if (wait > 0) await ctx.clock.sleep(wait, ctx.signal);
          const label = `${ctx.command.commandId}#${ctx.tryNumber}`;
          if (failureRate > 0 && deterministicFraction(failureSeed, label) < failureRate) {
            throw new RetryableError(CARRIER_UNAVAILABLE, 'the carrier did not answer (simulated)');
          }
          const result: ConfirmOrderResult = { shipmentId: shipmentIdOf(payload.orderId) };
          const [outcome] = stringArray(
            await confirmOrder(
              redis,
              [
                keys.shipment(payload.orderId),
                keys.shipments,
                keys.cancelled,
                keys.log,
                keys.stats,
                ledgerKey(ctx),
              ],
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
            ),
            'confirm-order',
          );
          if (outcome === 'cancelled') {
            throw new BusinessError(
              ORDER_CANCELLED,
              `order ${payload.orderId}: its shipment was cancelled, it cannot be confirmed`,
            );
          }
          return result;
        },
      },
      CancelShipment: {
        payloadSchema: cancelShipmentSchema,
        async handle(payload: CancelShipmentPayload, ctx: HandlerContext) {
          const cancelled: CancelShipmentResult = {
            cancelled: true,
            shipmentId: shipmentIdOf(payload.orderId),
          };
          const nothing: CancelShipmentResult = { cancelled: false };
          const [outcome] = stringArray(
            await cancelShipment(
              redis,
              [
                keys.shipment(payload.orderId),
                keys.shipments,
                keys.cancelled,
                keys.stats,
                ledgerKey(ctx),
              ],
              [
                payload.orderId,
                ctx.ledger.successResult(cancelled),
                ctx.ledger.successResult(nothing),
                ctx.ledger.ttlMs,
                ctx.command.commandId,
                new Date(ctx.clock.now()).toISOString(),
              ],
            ),
            'cancel-shipment',
          );
          // On 'duplicate' the SDK re-sends the recorded reply, whatever is returned here.
          return outcome === 'nothing' ? nothing : cancelled;
        },
      },
    },
  });
}

/** Runs the shipping participant on `<prefix>.shipping.commands` until `stop()`. */
export function startShippingParticipant(
  options: ExampleParticipantOptions & ShippingBehaviour,
): Promise<RunningParticipant> {
  const {
    redis,
    keyPrefix,
    delayMs,
    failureRate,
    failureSeed,
    slowRate,
    slowDelayMs,
    ...sdkOptions
  } = options;
  return startParticipant(
    shippingParticipant({
      redis,
      keyPrefix,
      delayMs,
      failureRate,
      failureSeed,
      slowRate,
      slowDelayMs,
    }),
    { ...sdkOptions, redis, ledgerKeyPrefix: shippingKeys(keyPrefix).base },
  );
}
