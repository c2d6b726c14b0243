/**
 * The order saga's input and its validation.
 */
export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface OrderInput {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  /** In the currency's major unit (e.g. 12.5 EUR). */
  amount: number;
  /** ISO 4217 code, e.g. `EUR`. */
  currency: string;
}

export const orderInputSchema = {
  type: 'object',
  required: ['orderId', 'customerId', 'items', 'amount', 'currency'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    customerId: { type: 'string', minLength: 1 },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', minLength: 1 },
          quantity: { type: 'integer', minimum: 1 },
        },
      },
    },
    amount: { type: 'number', exclusiveMinimum: 0 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const;
