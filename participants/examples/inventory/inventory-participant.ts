/**
 * The inventory example: stock per SKU in Redis. `ReserveItems` takes every item of an order or
 * none (`OUT_OF_STOCK`, terminal, otherwise); `ReleaseItems` gives the order's reservation back,
 * and is a successful no-op for an order that holds none. Each change and the record of its
 * command are one Lua script, so a command's effect happens exactly once.
 */
import type { RedisClient } from '../../sdk/index.js';
import {
  BusinessError,
  defineParticipant,
  loadRedisScript,
  startParticipant,
  type HandlerContext,
  type ParticipantDefinition,
  type RunningParticipant,
} from '../../sdk/index.js';
import { ledgerKey, type ExampleParticipantOptions } from '../example-options.js';
import {
  releaseItemsSchema,
  reserveItemsSchema,
  type OrderItem,
  type ReleaseItemsPayload,
  type ReleaseItemsResult,
  type ReserveItemsPayload,
  type ReserveItemsResult,
} from '../order-payloads.js';
import { inventoryKeys } from './inventory-keys.js';

const script = (name: string) => new URL(`./scripts/${name}`, import.meta.url);
const reserveItems = loadRedisScript('exampleReserveItems', script('reserve-items-6.lua'));
const releaseItems = loadRedisScript('exampleReleaseItems', script('release-items-6.lua'));

export const INVENTORY_PARTICIPANT = 'inventory';

export interface InventoryConfig {
  redis: RedisClient;
  /** @default 'saga-example' */
  keyPrefix?: string;
}

/** The reservation id of an order: one reservation per order. */
export const reservationIdOf = (orderId: string) => `rsv-${orderId}`;

/** The inventory participant's definition (handlers bound to `redis`). */
export function inventoryParticipant({ redis, keyPrefix }: InventoryConfig): ParticipantDefinition {
  const keys = inventoryKeys(keyPrefix);
  const stateKeys = (orderId: string) => [
    keys.stock,
    keys.reserved,
    keys.reservation(orderId),
    keys.reservations,
    keys.stats,
  ];
  return defineParticipant({
    name: INVENTORY_PARTICIPANT,
    handlers: {
      ReserveItems: {
        payloadSchema: reserveItemsSchema,
        async handle(payload: ReserveItemsPayload, ctx: HandlerContext) {
          const result: ReserveItemsResult = { reservationId: reservationIdOf(payload.orderId) };
          const reply = await reserveItems(
            redis,
            [...stateKeys(payload.orderId), ledgerKey(ctx)],
            [
              payload.orderId,
              ctx.ledger.successResult(result),
              ctx.ledger.ttlMs,
              ...mergeItems(payload.items).flatMap(({ sku, quantity }) => [sku, quantity]),
            ],
          );
          const [outcome, ...shortages] = reply as string[];
          if (outcome === 'short') {
            throw new BusinessError('OUT_OF_STOCK', describeShortages(shortages));
          }
          return result;
        },
      },
      ReleaseItems: {
        payloadSchema: releaseItemsSchema,
        async handle(payload: ReleaseItemsPayload, ctx: HandlerContext) {
          const released: ReleaseItemsResult = {
            released: true,
            reservationId: reservationIdOf(payload.orderId),
          };
          const nothing: ReleaseItemsResult = { released: false };
          const [outcome] = (await releaseItems(
            redis,
            [...stateKeys(payload.orderId), ledgerKey(ctx)],
            [
              payload.orderId,
              ctx.ledger.successResult(released),
              ctx.ledger.successResult(nothing),
              ctx.ledger.ttlMs,
            ],
          )) as string[];
          // On 'duplicate' the SDK re-sends the recorded reply, whatever is returned here.
          return outcome === 'nothing' ? nothing : released;
        },
      },
    },
  });
}

/**
 * Runs the inventory participant on `<prefix>.inventory.commands` until `stop()`.
 *
 * @example
 * const inventory = await startInventoryParticipant({ transport, redis, topicPrefix: 'saga' });
 */
export function startInventoryParticipant(
  options: ExampleParticipantOptions,
): Promise<RunningParticipant> {
  const { redis, keyPrefix, ...sdkOptions } = options;
  return startParticipant(inventoryParticipant({ redis, keyPrefix }), {
    ...sdkOptions,
    redis,
    ledgerKeyPrefix: inventoryKeys(keyPrefix).base,
  });
}

/** The same SKU twice in one order is one line with the sum. */
function mergeItems(items: readonly OrderItem[]): OrderItem[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/** The script lists shortages flat: sku, wanted, available, sku, … */
function describeShortages(shortages: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i + 2 < shortages.length; i += 3) {
    lines.push(`${shortages[i]}: ${shortages[i + 1]} requested, ${shortages[i + 2]} available`);
  }
  return lines.join('; ');
}
