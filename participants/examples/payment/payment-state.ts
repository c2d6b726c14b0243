/**
 * The payment example's state from outside the participant: seeding credit limits, a snapshot,
 * and the invariants to check after a run.
 */
import type { RedisClient } from '../../sdk/index.js';
import type { ExampleStateOptions } from '../example-options.js';
import { toMinorUnits } from '../order-payloads.js';
import { DEFAULT_LIMIT_FIELD, paymentKeys } from './payment-keys.js';

export interface PaymentSeed extends ExampleStateOptions {
  /** Credit limit per customer, in currency units. */
  creditLimits?: Readonly<Record<string, number>>;
  /** The limit of every customer not in `creditLimits`; without it they are declined. */
  defaultCreditLimit?: number;
}

/** Sets credit limits (in currency units; kept as minor units). */
export async function seedPayment(
  redis: RedisClient,
  { creditLimits = {}, defaultCreditLimit, keyPrefix }: PaymentSeed,
): Promise<void> {
  const limits: Array<[string, number]> = Object.entries(creditLimits);
  if (defaultCreditLimit !== undefined) limits.push([DEFAULT_LIMIT_FIELD, defaultCreditLimit]);
  for (const [customer, limit] of limits) {
    if (!Number.isFinite(limit) || limit < 0) {
      throw new Error(`seedPayment: limit of ${customer} must be a number >= 0, got ${limit}`);
    }
  }
  if (limits.length === 0) return;
  await redis.hset(
    paymentKeys(keyPrefix).limits,
    Object.fromEntries(limits.map(([customer, limit]) => [customer, toMinorUnits(limit)])),
  );
}

/** One entry of the payment audit log. */
export interface PaymentLogEntry {
  op: 'authorize' | 'void';
  orderId: string;
  customerId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  authorizationId: string;
  commandId: string;
  at: string;
}

export interface LiveAuthorization {
  authorizationId: string;
  customerId: string;
  /** Minor units. */
  amount: number;
  currency: string;
}

export interface PaymentSnapshot {
  /** Minor units per customer ('*' is the default). */
  limits: Record<string, number>;
  /** Minor units held per customer. */
  used: Record<string, number>;
  /** Live authorizations per order. */
  authorizations: Record<string, LiveAuthorization>;
  log: PaymentLogEntry[];
  /** Counters: authorizations, voids, voidsOfNothing. */
  stats: Record<string, number>;
}

export async function readPayment(
  redis: RedisClient,
  { keyPrefix }: ExampleStateOptions = {},
): Promise<PaymentSnapshot> {
  const keys = paymentKeys(keyPrefix);
  const [limits, used, stats, orderIds, log] = await Promise.all([
    redis.hgetall(keys.limits),
    redis.hgetall(keys.used),
    redis.hgetall(keys.stats),
    redis.smembers(keys.authorizations),
    redis.lrange(keys.log, 0, -1),
  ]);
  const pipeline = redis.pipeline();
  for (const orderId of orderIds) pipeline.hgetall(keys.authorization(orderId));
  const rows = (await pipeline.exec()) ?? [];
  const authorizations: Record<string, LiveAuthorization> = {};
  orderIds.forEach((orderId, i) => {
    const [error, value] = rows[i] ?? [null, {}];
    if (error) throw error;
    const row = value as Record<string, string>;
    authorizations[orderId] = {
      authorizationId: row.authorizationId ?? '',
      customerId: row.customerId ?? '',
      amount: Number(row.amount ?? 'NaN'),
      currency: row.currency ?? '',
    };
  });
  return {
    limits: numbers(limits),
    used: numbers(used),
    authorizations,
    log: log.map((line) => JSON.parse(line) as PaymentLogEntry),
    stats: numbers(stats),
  };
}

/**
 * The payment invariants; returns what is violated (empty when all hold):
 * - no customer is authorized twice for one order;
 * - every void matches an authorization (same order, id, customer and amount), once;
 * - the live authorizations are exactly those authorized and not voided;
 * - per customer, the amount held = the sum of the live authorizations, never above the limit.
 *
 * Check it when no command is in flight.
 */
export async function checkPaymentInvariants(
  redis: RedisClient,
  options: ExampleStateOptions = {},
): Promise<string[]> {
  const state = await readPayment(redis, options);
  const violations: string[] = [];
  const authorized = new Map<string, PaymentLogEntry>();
  const voided = new Set<string>();
  for (const entry of state.log) {
    if (entry.op === 'authorize') {
      if (authorized.has(entry.orderId)) {
        violations.push(`customer ${entry.customerId} authorized twice for order ${entry.orderId}`);
      }
      authorized.set(entry.orderId, entry);
      continue;
    }
    const auth = authorized.get(entry.orderId);
    if (
      !auth ||
      auth.authorizationId !== entry.authorizationId ||
      auth.customerId !== entry.customerId ||
      auth.amount !== entry.amount
    ) {
      violations.push(
        `void of ${entry.authorizationId} (order ${entry.orderId}) matches no authorization`,
      );
    } else if (voided.has(entry.orderId)) {
      violations.push(`authorization ${entry.authorizationId} voided twice`);
    }
    voided.add(entry.orderId);
  }
  const heldPerCustomer: Record<string, number> = {};
  for (const [orderId, auth] of authorized) {
    const live = state.authorizations[orderId];
    if (voided.has(orderId) && live) {
      violations.push(`order ${orderId} was voided but still holds ${auth.authorizationId}`);
    }
    if (!voided.has(orderId)) {
      if (!live) violations.push(`order ${orderId} lost its authorization without a void`);
      heldPerCustomer[auth.customerId] = (heldPerCustomer[auth.customerId] ?? 0) + auth.amount;
    }
  }
  for (const orderId of Object.keys(state.authorizations)) {
    if (!authorized.has(orderId)) {
      violations.push(`order ${orderId} holds an authorization the log does not show`);
    }
  }
  const customers = new Set([...Object.keys(state.used), ...Object.keys(heldPerCustomer)]);
  for (const customer of [...customers].sort()) {
    const used = state.used[customer] ?? 0;
    const held = heldPerCustomer[customer] ?? 0;
    if (used !== held) {
      violations.push(`customer ${customer}: ${used} held != ${held} in live authorizations`);
    }
    const limit = state.limits[customer] ?? state.limits[DEFAULT_LIMIT_FIELD];
    if (limit !== undefined && used > limit) {
      violations.push(`customer ${customer}: ${used} held exceeds the limit ${limit}`);
    }
  }
  return violations;
}

function numbers(hash: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, Number(v)]));
}
