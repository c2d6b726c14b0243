/**
 * The order saga: reserve the items, authorize the payment, (for large orders) wait for an
 * operator's approval, confirm the order with shipping.
 *
 * ```
 * reserveInventory ─▶ authorizePayment ─▶ [amount > approvalThreshold] awaitingApproval ─▶ confirmOrder ─▶ completed
 * undo: ReleaseItems  undo: VoidAuthorization order.reject / deadline ─▶ compensating      undo: CancelShipment
 * ```
 *
 * Any step failure (a refusal, or retries and deadlines run out) runs the compensations of what was
 * done, last first, and ends `compensated`; `saga.cancel` does the same and ends `cancelled`.
 * Confirming is the pivot, but its outcome can be unknown too: when every attempt's deadline
 * passed, shipping may still confirm late, so `CancelShipment` runs before the payment is voided
 * and the items released (shipping refuses a later confirm of a cancelled order). A refusal to
 * confirm undoes only the two earlier steps.
 *
 * Timings and the threshold come from {@link CompiledOrderSagaOptions}; the shape never changes.
 */
import { emit } from 'xstate';
import type { JsonObject } from '../../wire/contract/index.js';
import { createSagaKit, type SagaContext } from '../../orchestrator/engine/vocabulary/index.js';
import {
  authorizePaymentContract,
  cancelShipmentContract,
  confirmOrderContract,
  releaseItemsContract,
  reserveItemsContract,
  voidAuthorizationContract,
} from './contracts.js';
import type { OrderInput } from './input.js';
import type { CompiledOrderSagaOptions } from './options.js';

export type OrderSignal =
  { type: 'order.approve'; approvedBy?: string } | { type: 'order.reject'; reason?: string };

const kit = createSagaKit<OrderInput, OrderSignal>();

type Ctx = SagaContext<OrderInput>;

/** A string from a reply payload, if the participant sent one. */
function replyString(reply: JsonObject | undefined, key: string): string | undefined {
  const value = reply?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const items = ({ input }: Ctx) => input.items.map(({ sku, quantity }) => ({ sku, quantity }));

/** The delay of the approval deadline, by name: its timer id stays the same whatever its length. */
export const APPROVAL_TIMEOUT_DELAY = 'order.approvalTimeout';

/** Builds the order statechart with these timings (see `options.ts` for the defaults). */
export function createOrderMachine(options: CompiledOrderSagaOptions) {
  const { stepTimeoutMs, retry, approvalTimeoutMs, approvalThreshold } = options;
  const compensation = options.compensation;
  return kit.setup
    .extend({
      guards: {
        needsApproval: ({ context }) => context.input.amount > approvalThreshold,
      },
      delays: {
        [APPROVAL_TIMEOUT_DELAY]: approvalTimeoutMs,
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
            ...reserveItemsContract,
            timeoutMs: stepTimeoutMs,
            retry,
            payload: (c) => ({
              orderId: c.input.orderId,
              customerId: c.input.customerId,
              items: items(c),
            }),
            compensation: {
              ...compensation,
              command: 'ReleaseItems',
              ...releaseItemsContract,
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
            ...authorizePaymentContract,
            timeoutMs: stepTimeoutMs,
            retry,
            payload: ({ input }) => ({
              orderId: input.orderId,
              customerId: input.customerId,
              amount: input.amount,
              currency: input.currency,
            }),
            compensation: {
              ...compensation,
              command: 'VoidAuthorization',
              ...voidAuthorizationContract,
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
          description: `Orders above ${approvalThreshold} wait for order.approve or order.reject`,
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
            [APPROVAL_TIMEOUT_DELAY]: {
              target: '#compensating',
              actions: {
                type: 'saga.recordFailure',
                params: {
                  code: 'APPROVAL_TIMED_OUT',
                  message: `no approval within ${approvalTimeoutMs} ms`,
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
            ...confirmOrderContract,
            timeoutMs: stepTimeoutMs,
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
            compensation: {
              ...compensation,
              command: 'CancelShipment',
              ...cancelShipmentContract,
              // By order: shipping keeps a tombstone, so a confirm that is still on its way or
              // still running is refused afterwards, whatever the order they arrive in.
              payload: (c, reply) => {
                const shipmentId = replyString(reply, 'shipmentId');
                return { orderId: c.input.orderId, ...(shipmentId ? { shipmentId } : {}) };
              },
            },
          }),
          onDone: 'completed',
        },
        ...kit.endStates,
      },
    });
}
