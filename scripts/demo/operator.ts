/**
 * The demo's operator: bulk orders (above the approval threshold) wait in `awaitingApproval`
 * until someone decides. Every half second the operator lists the sagas in that state
 * (`GET /v1/sagas?type=order&state=awaitingApproval`), reads each one's amount
 * (`GET /v1/sagas/:id`) and sends `order.approve` or `order.reject` into it
 * (`POST /v1/sagas/:id/events`): approved up to `approveUpTo`, rejected above.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiRequestError, type SagaApiClient } from '../../cli/api-client.js';
import type { Logger } from '../../wire/telemetry/logger.js';

export interface OperatorOptions {
  client: SagaApiClient;
  /** Orders up to this amount are approved; larger ones rejected. */
  approveUpTo: number;
  logger: Logger;
  /** @default 500 */
  intervalMs?: number;
}

export interface Operator {
  readonly approved: number;
  readonly rejected: number;
  /** Stops after the round in hand. */
  stop(): Promise<void>;
}

const WAITING_STATE = 'awaitingApproval';

export function startOperator(options: OperatorOptions): Operator {
  const { client, approveUpTo, logger } = options;
  const decided = new Set<string>();
  const stopping = new AbortController();
  let approved = 0;
  let rejected = 0;

  const decide = async (id: string) => {
    const saga = await client.getSaga(id, { offset: 0, limit: 1 });
    if (saga.state !== WAITING_STATE) return;
    const input = (saga.context as { input?: { amount?: unknown; currency?: unknown } }).input;
    const amount = typeof input?.amount === 'number' ? input.amount : Number.POSITIVE_INFINITY;
    const currency = typeof input?.currency === 'string' ? input.currency : '';
    const approve = amount <= approveUpTo;
    await client.signal(
      id,
      approve
        ? { type: 'order.approve', approvedBy: 'demo-operator' }
        : {
            type: 'order.reject',
            reason: `${amount} ${currency} is above the operator's limit of ${approveUpTo} ${currency}`,
          },
    );
    decided.add(id);
    if (approve) approved += 1;
    else rejected += 1;
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const page = await client.listSagas({ type: 'order', state: WAITING_STATE, limit: 100 });
        for (const item of page.items) {
          if (decided.has(item.id) || stopping.signal.aborted) continue;
          await decide(item.id).catch((error: unknown) => {
            // The saga moved on meanwhile (its approval deadline, a cancel): nothing to decide.
            if (error instanceof ApiRequestError && error.status === 409) decided.add(item.id);
            else throw error;
          });
        }
      } catch (error) {
        logger.warn('operator round failed; trying again', { error });
      }
      await sleep(options.intervalMs ?? 500, undefined, { signal: stopping.signal }).catch(
        () => undefined,
      );
    }
  })();

  return {
    get approved() {
      return approved;
    },
    get rejected() {
      return rejected;
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
