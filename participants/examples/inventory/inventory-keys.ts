/** Every Redis key of the inventory example, built in one place (BullMQ's `QueueKeys`). */
import { exampleKeyBase } from '../example-options.js';

export interface InventoryKeys {
  /** Also the prefix of the command ledger's records. */
  base: string;
  stock: string;
  reserved: string;
  initial: string;
  reservations: string;
  stats: string;
  reservation(orderId: string): string;
}

export function inventoryKeys(keyPrefix?: string): InventoryKeys {
  const base = exampleKeyBase('inventory', keyPrefix);
  return {
    base,
    stock: `${base}:stock`,
    reserved: `${base}:reserved`,
    initial: `${base}:initial`,
    reservations: `${base}:reservations`,
    stats: `${base}:stats`,
    reservation: (orderId) => `${base}:reservation:${orderId}`,
  };
}
