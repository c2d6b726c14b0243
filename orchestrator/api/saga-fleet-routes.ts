/**
 * Routes over many sagas at once: `GET /v1/sagas/counts` (live counts by type and status, from
 * the store's counters) and `POST /v1/sagas/retry-parked` (retry every parked saga of a type, or
 * count them first with a dry run). Registered before `/v1/sagas/:id`, whose pattern would
 * otherwise take `counts` for a saga id.
 */
import type { SagaStatus } from '../../wire/contract/index.js';
import type { OperatorAudit } from '../engine/index.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import { DEFAULT_BULK_RETRY_LIMIT } from './openapi/operations.js';
import { operatorAudit } from './operator-audit.js';
import type { RouteRegistry } from './route-registry.js';

/** What `POST /v1/sagas/retry-parked` answers. */
export interface RetryParkedResult {
  /** Parked sagas found (at most `limit`). */
  matched: number;
  /** Retried now (0 in a dry run). */
  retried: number;
  /** The sagas retried, or in a dry run the ones that would be. */
  ids: string[];
  /** Sagas whose retry was refused or failed, with why. */
  failed: { id: string; reason: string }[];
}

/** A page of the parked list: the list's largest, so 1,000 sagas take two reads. */
const PAGE = 500;
/** Retries in flight at once: each is one saga's step (a Redis script and an outbox entry). */
const CONCURRENCY = 16;

/**
 * Pages through the parked sagas of `type` (and `state`), newest first, and retries each, at
 * most `limit`. A saga retried moves out of the parked index, which the cursor (the last member
 * handed out) does not mind.
 */
export async function retryParked(
  orchestrator: Pick<ApiOrchestrator, 'listSagas' | 'retry'>,
  request: { type: string; state?: string; dryRun?: boolean; limit?: number },
  audit: OperatorAudit,
): Promise<RetryParkedResult> {
  const limit = request.limit ?? DEFAULT_BULK_RETRY_LIMIT;
  const result: RetryParkedResult = { matched: 0, retried: 0, ids: [], failed: [] };
  let cursor: string | undefined;
  do {
    const page = await orchestrator.listSagas({
      type: request.type,
      status: 'parked',
      ...(request.state !== undefined ? { state: request.state } : {}),
      limit: Math.min(PAGE, limit - result.matched),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    const ids = page.items.map((saga) => saga.id).slice(0, limit - result.matched);
    result.matched += ids.length;
    if (request.dryRun) result.ids.push(...ids);
    else {
      for (let start = 0; start < ids.length; start += CONCURRENCY) {
        const batch = ids.slice(start, start + CONCURRENCY);
        const outcomes = await Promise.all(batch.map((id) => retryOne(orchestrator, id, audit)));
        outcomes.forEach((reason, index) => {
          const id = batch[index] ?? '';
          if (reason === undefined) {
            result.retried += 1;
            result.ids.push(id);
          } else result.failed.push({ id, reason });
        });
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined && result.matched < limit);
  return result;
}

/** Retries one saga; undefined when applied, else why not. */
async function retryOne(
  orchestrator: Pick<ApiOrchestrator, 'retry'>,
  id: string,
  audit: OperatorAudit,
): Promise<string | undefined> {
  try {
    // Each saga's history says who retried it in bulk and why.
    const outcome = await orchestrator.retry(id, audit);
    if (outcome.status === 'applied') return undefined;
    if (outcome.status === 'unknown-saga') return 'the saga is gone (purged)';
    return `not retried: ${outcome.reason} (now ${outcome.record.status}, state ${outcome.record.state})`;
  } catch (error) {
    return `the retry failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function sagaFleetRoutes(routes: RouteRegistry, orchestrator: ApiOrchestrator): void {
  routes.add('countSagas', async (_input, _req, res) => {
    const byTypeAndStatus = new Map<string, { type: string; status: SagaStatus; count: number }>();
    for (const { type, status, count } of await orchestrator.store.countsByTypeAndState()) {
      const key = JSON.stringify([type, status]);
      const total = byTypeAndStatus.get(key);
      if (total) total.count += count;
      else byTypeAndStatus.set(key, { type, status, count });
    }
    const items = [...byTypeAndStatus.values()].sort(
      (a, b) => a.type.localeCompare(b.type) || a.status.localeCompare(b.status),
    );
    res.json({ items });
  });

  routes.add('retryParked', async ({ body }, req, res) => {
    res.json(
      await retryParked(
        orchestrator,
        body as { type: string; state?: string; dryRun?: boolean; limit?: number },
        operatorAudit(req, res),
      ),
    );
  });
}
