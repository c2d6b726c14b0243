/**
 * The payloads of the order saga's commands and replies, as the example participants read and
 * answer them (the saga's input is `{ orderId, customerId, items: [{ sku, quantity }], amount,
 * currency }`). The JSON Schemas are what a payload must satisfy; a command whose payload does not
 * is dead-lettered by the SDK. They are tolerant readers of the saga's published contract
 * (sagas/order/contracts.ts): every field it sends is listed, only what a handler needs is
 * required; test/unit/sagas/order-contracts.test.ts checks every payload the saga sends passes.
 */

export interface OrderItem {
  sku: string;
  quantity: number;
}

/** `inventory.ReserveItems`: reserve every item, or none. */
export interface ReserveItemsPayload {
  orderId: string;
  customerId?: string;
  items: OrderItem[];
}
export interface ReserveItemsResult {
  [key: string]: unknown;
  reservationId: string;
}

/** `inventory.ReleaseItems` (compensation): give an order's reservation back; none is fine. */
export interface ReleaseItemsPayload {
  orderId: string;
  reservationId?: string;
  items?: OrderItem[];
}
export interface ReleaseItemsResult {
  [key: string]: unknown;
  /** False when the order held no reservation (never reserved, or released before). */
  released: boolean;
}

/** `payment.AuthorizePayment`: hold `amount` against the customer's credit limit. */
export interface AuthorizePaymentPayload {
  orderId: string;
  customerId: string;
  /** In currency units, e.g. 59.9; kept as integer minor units (cents) inside. */
  amount: number;
  currency: string;
}
export interface AuthorizePaymentResult {
  [key: string]: unknown;
  authorizationId: string;
}

/** `payment.VoidAuthorization` (compensation): release an order's authorization; none is fine. */
export interface VoidAuthorizationPayload {
  orderId: string;
  authorizationId?: string;
  customerId?: string;
  amount?: number;
  currency?: string;
}
export interface VoidAuthorizationResult {
  [key: string]: unknown;
  /** False when the order held no authorization (never authorized, or voided before). */
  voided: boolean;
}

/** `shipping.ConfirmOrder`: book the shipment. */
export interface ConfirmOrderPayload {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  reservationId?: string;
  authorizationId?: string;
}
export interface ConfirmOrderResult {
  [key: string]: unknown;
  shipmentId: string;
}

/**
 * `shipping.CancelShipment` (compensation): cancel an order's shipment, and refuse any confirm
 * of the order from now on; none is fine. Cancels by order (one shipment per order).
 */
export interface CancelShipmentPayload {
  orderId: string;
  /** From the confirm's reply, when there was one. */
  shipmentId?: string;
}
export interface CancelShipmentResult {
  [key: string]: unknown;
  /** False when the order had no active shipment (never confirmed, or cancelled before). */
  cancelled: boolean;
}

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;

const items = {
  type: 'array',
  minItems: 1,
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['sku', 'quantity'],
    properties: { sku: id, quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
  },
} as const;

export const reserveItemsSchema = {
  type: 'object',
  required: ['orderId', 'items'],
  properties: { orderId: id, customerId: id, items },
} as const;

export const releaseItemsSchema = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: id, reservationId: id, items },
} as const;

export const authorizePaymentSchema = {
  type: 'object',
  required: ['orderId', 'customerId', 'amount', 'currency'],
  properties: {
    orderId: id,
    customerId: id,
    amount: { type: 'number', minimum: 0, maximum: 1e9 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;

export const voidAuthorizationSchema = {
  type: 'object',
  required: ['orderId'],
  properties: {
    orderId: id,
    authorizationId: id,
    customerId: id,
    amount: { type: 'number', minimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;

export const confirmOrderSchema = {
  type: 'object',
  required: ['orderId', 'customerId', 'items'],
  properties: { orderId: id, customerId: id, items, reservationId: id, authorizationId: id },
} as const;

export const cancelShipmentSchema = {
  type: 'object',
  required: ['orderId'],
  properties: { orderId: id, shipmentId: id },
} as const;

/** Currency units to integer minor units, so sums never drift (59.9 → 5990). */
export function toMinorUnits(amount: number): number {
  return Math.round(amount * 100);
}
