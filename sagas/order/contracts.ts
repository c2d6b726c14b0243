/**
 * The order saga's command contracts: what each command's payload holds and what a success reply
 * may carry (JSON Schema 2020-12). The engine checks every payload it sends against these, the API
 * and the AsyncAPI document publish them, and docs/wire-contract.md's tables are generated from
 * them (`npm run docs:contract`).
 *
 * The reply schemas require nothing: the saga reads `reservationId`, `authorizationId` and
 * `shipmentId` when a participant sends them and falls back to the order id otherwise (a
 * compensation of an unknown outcome has no reply at all). They fix the type of what it reads.
 */
import type { JsonSchema } from '../../orchestrator/engine/vocabulary/index.js';

const orderId = {
  type: 'string',
  minLength: 1,
  description: 'The order, from the saga input; one saga per order.',
} as const;
const customerId = { type: 'string', minLength: 1, description: 'From the saga input.' } as const;
const items = {
  type: 'array',
  minItems: 1,
  description: 'The order lines, from the saga input.',
  items: {
    type: 'object',
    required: ['sku', 'quantity'],
    additionalProperties: false,
    properties: {
      sku: { type: 'string', minLength: 1 },
      quantity: { type: 'integer', minimum: 1 },
    },
  },
} as const;
const amount = {
  type: 'number',
  exclusiveMinimum: 0,
  description: 'In the currency’s major unit (e.g. 59.9), from the saga input.',
} as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code.' } as const;
const reservationId = {
  type: 'string',
  minLength: 1,
  description: 'The reservation, from the ReserveItems reply (absent when there was none).',
} as const;
const authorizationId = {
  type: 'string',
  minLength: 1,
  description: 'The authorization, from the AuthorizePayment reply (absent when there was none).',
} as const;
const shipmentId = {
  type: 'string',
  minLength: 1,
  description: 'The shipment, from the ConfirmOrder reply (absent when there was none).',
} as const;

const object = (
  description: string,
  required: readonly string[],
  properties: Record<string, JsonSchema>,
): JsonSchema => ({ type: 'object', description, required, properties });

/** `inventory.ReserveItems` and its compensation `inventory.ReleaseItems`. */
export const reserveItemsContract = {
  payloadSchema: object('Reserve every item, or none.', ['orderId', 'customerId', 'items'], {
    orderId,
    customerId,
    items,
  }),
  replySchema: object('The reservation made.', [], { reservationId }),
} as const;

export const releaseItemsContract = {
  payloadSchema: object(
    'Give the order’s reservation back; succeed when there is none.',
    ['orderId', 'items'],
    { orderId, items, reservationId },
  ),
  replySchema: object('What was released.', [], {
    released: { type: 'boolean', description: 'False when the order held no reservation.' },
    reservationId,
  }),
} as const;

/** `payment.AuthorizePayment` and its compensation `payment.VoidAuthorization`. */
export const authorizePaymentContract = {
  payloadSchema: object(
    'Hold the amount against the customer’s credit.',
    ['orderId', 'customerId', 'amount', 'currency'],
    { orderId, customerId, amount, currency },
  ),
  replySchema: object('The authorization made.', [], { authorizationId }),
} as const;

export const voidAuthorizationContract = {
  payloadSchema: object(
    'Release the order’s authorization; succeed when there is none.',
    ['orderId', 'customerId', 'amount', 'currency'],
    { orderId, customerId, amount, currency, authorizationId },
  ),
  replySchema: object('What was voided.', [], {
    voided: { type: 'boolean', description: 'False when the order held no authorization.' },
    authorizationId,
  }),
} as const;

/** `shipping.ConfirmOrder` and its compensation `shipping.CancelShipment`. */
export const confirmOrderContract = {
  payloadSchema: object('Book the shipment.', ['orderId', 'customerId', 'items'], {
    orderId,
    customerId,
    items,
    reservationId,
    authorizationId,
  }),
  replySchema: object('The shipment booked.', [], { shipmentId }),
} as const;

export const cancelShipmentContract = {
  payloadSchema: object(
    'Cancel the order’s shipment and refuse any later confirm of it; succeed when there is none.',
    ['orderId'],
    { orderId, shipmentId },
  ),
  replySchema: object('What was cancelled.', [], {
    cancelled: { type: 'boolean', description: 'False when the order had no active shipment.' },
    shipmentId,
  }),
} as const;
