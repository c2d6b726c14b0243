/**
 * The order saga: reserve the items, authorize the payment, (for large orders) wait for an
 * operator's approval, confirm the order with shipping.
 *
 * ```
 * reserveInventory ─▶ authorizePayment ─▶ [amount > APPROVAL_THRESHOLD] awaitingApproval ─▶ confirmOrder ─▶ completed
 *   undo: ReleaseItems   undo: VoidAuthorization   order.reject / deadline ─▶ compensating
 * ```
 *
 * Any step failure (a refusal, or retries and deadlines run out) runs the compensations of what was
 * done, last first, and ends `compensated`; `saga.cancel` does the same and ends `cancelled`.
 */
import { emit } from 'xstate';
import type { JsonObject } from '../../orchestrator/contract/messages.js';
import { createSagaKit, type SagaContext } from '../../orchestrator/engine/vocabulary/index.js';
import type { OrderInput } from './input.js';

/** Orders above this amount wait for `order.approve` after the payment is authorized. */
export const APPROVAL_THRESHOLD = 10_000;
/** How long an order waits for approval before it is rejected. */
export const APPROVAL_TIMEOUT_MS = 15 * 60_000;
export const STEP_TIMEOUT_MS = 10_000;

export type OrderSignal =
  { type: 'order.approve'; approvedBy?: string } | { type: 'order.reject'; reason?: string };

const kit = createSagaKit<OrderInput, OrderSignal>();

type Ctx = SagaContext<OrderInput>;

const retry = {
  maxAttempts: 3,
  backoff: { initialDelayMs: 500, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 },
};

/** A string from a reply payload, if the participant sent one. */
function replyString(reply: JsonObject | undefined, key: string): string | undefined {
  const value = reply?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const items = ({ input }: Ctx) => input.items.map(({ sku, quantity }) => ({ sku, quantity }));

export const orderMachine = kit.setup
  .extend({
    guards: {
      needsApproval: ({ context }) => context.input.amount > APPROVAL_THRESHOLD,
    },
  })
  .createMachine({
    id: 'order',
    description: 'Reserve stock, authorize payment, confirm the order; undo on failure',
    context: kit.initialContext,
    initial: 'reserveInventory',
    on: kit.signals,
    states: {
      reserveInventory: {
        ...kit.step({
          name: 'reserveInventory',
          participant: 'inventory',
          command: 'ReserveItems',
          timeoutMs: STEP_TIMEOUT_MS,
          retry,
          payload: (c) => ({
            orderId: c.input.orderId,
            customerId: c.input.customerId,
            items: items(c),
          }),
          compensation: {
            command: 'ReleaseItems',
            // The reservation id when the reserve reply gave one; orderId + items always, so
            // a participant can release by order when the reservation's outcome is unknown.
            payload: (c, reply) => {
              const reservationId = replyString(reply, 'reservationId');
              return {
                orderId: c.input.orderId,
                items: items(c),
                ...(reservationId ? { reservationId } : {}),
              };
            },
          },
        }),
        onDone: 'authorizePayment',
      },
      authorizePayment: {
        ...kit.step({
          name: 'authorizePayment',
          participant: 'payment',
          command: 'AuthorizePayment',
          timeoutMs: STEP_TIMEOUT_MS,
          retry,
          payload: ({ input }) => ({
            orderId: input.orderId,
            customerId: input.customerId,
            amount: input.amount,
            currency: input.currency,
          }),
          compensation: {
            command: 'VoidAuthorization',
            payload: ({ input }, reply) => {
              const authorizationId = replyString(reply, 'authorizationId');
              return {
                orderId: input.orderId,
                customerId: input.customerId,
                amount: input.amount,
                currency: input.currency,
                ...(authorizationId ? { authorizationId } : {}),
              };
            },
          },
        }),
        onDone: [
          { guard: 'needsApproval', target: 'awaitingApproval' },
          { target: 'confirmOrder' },
        ],
      },
      awaitingApproval: {
        description: `Orders above ${APPROVAL_THRESHOLD} wait for order.approve or order.reject`,
        entry: emit(({ context }) => ({
          type: 'ApprovalRequested',
          orderId: context.input.orderId,
          amount: context.input.amount,
          currency: context.input.currency,
        })),
        on: {
          'order.approve': { target: 'confirmOrder' },
          'order.reject': {
            target: '#compensating',
            actions: {
              type: 'saga.recordFailure',
              params: ({ event }) => ({
                code: 'APPROVAL_REJECTED',
                message: event.reason ?? 'rejected by an operator',
              }),
            },
          },
        },
        after: {
          [APPROVAL_TIMEOUT_MS]: {
            target: '#compensating',
            actions: {
              type: 'saga.recordFailure',
              params: {
                code: 'APPROVAL_TIMED_OUT',
                message: `no approval within ${APPROVAL_TIMEOUT_MS} ms`,
              },
            },
          },
        },
      },
      confirmOrder: {
        ...kit.step({
          name: 'confirmOrder',
          participant: 'shipping',
          command: 'ConfirmOrder',
          timeoutMs: STEP_TIMEOUT_MS,
          retry,
          payload: (c) => {
            const reservationId = replyString(c.steps.reserveInventory?.result, 'reservationId');
            const authorizationId = replyString(
              c.steps.authorizePayment?.result,
              'authorizationId',
            );
            return {
              orderId: c.input.orderId,
              customerId: c.input.customerId,
              items: items(c),
              ...(reservationId ? { reservationId } : {}),
              ...(authorizationId ? { authorizationId } : {}),
            };
          },
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  });
