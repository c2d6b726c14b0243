/** Every Redis key of the payment example, built in one place. */
import { exampleKeyBase } from '../example-options.js';

export interface PaymentKeys {
  /** Also the prefix of the command ledger's records. */
  base: string;
  /** hash customerId -> credit limit in minor units; field `*` is the default for everyone else. */
  limits: string;
  /** hash customerId -> minor units held by live authorizations. */
  used: string;
  /** set of order ids holding a live authorization. */
  authorizations: string;
  /** list of JSON entries, one per authorization and per void (the audit trail). */
  log: string;
  stats: string;
  /** hash of one order's live authorization: authorizationId, customerId, amount, currency. */
  authorization(orderId: string): string;
}

/** The `limits` field that applies to customers without a limit of their own. */
export const DEFAULT_LIMIT_FIELD = '*';

export function paymentKeys(keyPrefix?: string): PaymentKeys {
  const base = exampleKeyBase('payment', keyPrefix);
  return {
    base,
    limits: `${base}:limits`,
    used: `${base}:used`,
    authorizations: `${base}:authorizations`,
    log: `${base}:log`,
    stats: `${base}:stats`,
    authorization: (orderId) => `${base}:authorization:${orderId}`,
  };
}
