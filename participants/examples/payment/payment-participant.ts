/**
 * The payment example: a credit limit per customer in Redis. `AuthorizePayment` holds the
 * amount (`DECLINED`, terminal, past the limit); `VoidAuthorization` releases it, and is a
 * successful no-op (not logged as a void) for an order that holds none. Each change and the
 * record of its command are one Lua script, so a command's effect happens exactly once.
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
  authorizePaymentSchema,
  toMinorUnits,
  voidAuthorizationSchema,
  type AuthorizePaymentPayload,
  type AuthorizePaymentResult,
  type VoidAuthorizationPayload,
  type VoidAuthorizationResult,
} from '../order-payloads.js';
import { paymentKeys } from './payment-keys.js';

const script = (name: string) => new URL(`./scripts/${name}`, import.meta.url);
const authorizePayment = loadRedisScript(
  'exampleAuthorizePayment',
  script('authorize-payment-7.lua'),
);
const voidAuthorization = loadRedisScript(
  'exampleVoidAuthorization',
  script('void-authorization-6.lua'),
);

export const PAYMENT_PARTICIPANT = 'payment';

export interface PaymentConfig {
  redis: RedisClient;
  /** @default 'saga-example' */
  keyPrefix?: string;
}

/** The authorization id of an order: one live authorization per order. */
export const authorizationIdOf = (orderId: string) => `auth-${orderId}`;

/** The payment participant's definition (handlers bound to `redis`). */
export function paymentParticipant({ redis, keyPrefix }: PaymentConfig): ParticipantDefinition {
  const keys = paymentKeys(keyPrefix);
  const now = (ctx: HandlerContext) => new Date(ctx.clock.now()).toISOString();
  return defineParticipant({
    name: PAYMENT_PARTICIPANT,
    handlers: {
      AuthorizePayment: {
        payloadSchema: authorizePaymentSchema,
        async handle(payload: AuthorizePaymentPayload, ctx: HandlerContext) {
          const result: AuthorizePaymentResult = {
            authorizationId: authorizationIdOf(payload.orderId),
          };
          const amount = toMinorUnits(payload.amount);
          const [outcome, limit, used] = (await authorizePayment(
            redis,
            [
              keys.limits,
              keys.used,
              keys.authorization(payload.orderId),
              keys.authorizations,
              keys.log,
              keys.stats,
              ledgerKey(ctx),
            ],
            [
              payload.orderId,
              payload.customerId,
              amount,
              payload.currency,
              result.authorizationId,
              ctx.ledger.successResult(result),
              ctx.ledger.ttlMs,
              ctx.command.commandId,
              now(ctx),
            ],
          )) as string[];
          if (outcome === 'declined') {
            throw new BusinessError(
              'DECLINED',
              limit
                ? `customer ${payload.customerId}: ${formatMinor(amount)} ${payload.currency} ` +
                    `exceeds the credit left (${formatMinor(Number(limit) - Number(used))})`
                : `customer ${payload.customerId} has no credit line`,
            );
          }
          return result;
        },
      },
      VoidAuthorization: {
        payloadSchema: voidAuthorizationSchema,
        async handle(payload: VoidAuthorizationPayload, ctx: HandlerContext) {
          const voided: VoidAuthorizationResult = {
            voided: true,
            authorizationId: authorizationIdOf(payload.orderId),
          };
          const nothing: VoidAuthorizationResult = { voided: false };
          const [outcome] = (await voidAuthorization(
            redis,
            [
              keys.used,
              keys.authorization(payload.orderId),
              keys.authorizations,
              keys.log,
              keys.stats,
              ledgerKey(ctx),
            ],
            [
              payload.orderId,
              ctx.ledger.successResult(voided),
              ctx.ledger.successResult(nothing),
              ctx.ledger.ttlMs,
              ctx.command.commandId,
              now(ctx),
            ],
          )) as string[];
          // On 'duplicate' the SDK re-sends the recorded reply, whatever is returned here.
          return outcome === 'nothing' ? nothing : voided;
        },
      },
    },
  });
}

/** Runs the payment participant on `<prefix>.payment.commands` until `stop()`. */
export function startPaymentParticipant(
  options: ExampleParticipantOptions,
): Promise<RunningParticipant> {
  const { redis, keyPrefix, ...sdkOptions } = options;
  return startParticipant(paymentParticipant({ redis, keyPrefix }), {
    ...sdkOptions,
    redis,
    ledgerKeyPrefix: paymentKeys(keyPrefix).base,
  });
}

function formatMinor(minor: number): string {
  return (minor / 100).toFixed(2);
}
