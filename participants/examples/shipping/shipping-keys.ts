/** Every Redis key of the shipping example, built in one place. */
import { exampleKeyBase } from '../example-options.js';

export interface ShippingKeys {
  /** Also the prefix of the command ledger's records. */
  base: string;
  /** set of order ids with a shipment. */
  shipments: string;
  /** list of JSON entries, one per shipment booked. */
  log: string;
  stats: string;
  /** hash of one order's shipment: shipmentId, customerId, items. */
  shipment(orderId: string): string;
}

export function shippingKeys(keyPrefix?: string): ShippingKeys {
  const base = exampleKeyBase('shipping', keyPrefix);
  return {
    base,
    shipments: `${base}:shipments`,
    log: `${base}:log`,
    stats: `${base}:stats`,
    shipment: (orderId) => `${base}:shipment:${orderId}`,
  };
}
