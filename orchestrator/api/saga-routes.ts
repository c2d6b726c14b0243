/**
 * `/v1/sagas`: start, read, list, wait for, cancel, signal, retry, pause and resume sagas. Requests arrive
 * validated (see `route-registry.ts`); each handler maps the orchestrator's outcome to a status
 * code and the saga view.
 */
import { isAtRest, type JsonObject, type SagaStatus } from '../../wire/contract/index.js';
import type { SagaRecord } from '../engine/index.js';
import type { PauseOutcome, SignalOutcome } from '../runtime/index.js';
import { InvalidQueryError } from '../store/index.js';
import { ApiError } from './api-error.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RESULT_TIMEOUT_MS,
  OVERDUE_GRACE_MS,
} from './openapi/operations.js';
import { operatorAudit } from './operator-audit.js';
import type { RouteRegistry } from './route-registry.js';
import { sagaSummaryView, sagaView, type SagaView } from './saga-view.js';
import { isSignalTypeReserved } from './waiting-for.js';

interface HistoryWindow {
  offset: number;
  limit: number;
}

const FIRST_PAGE: HistoryWindow = { offset: 0, limit: DEFAULT_HISTORY_LIMIT };

export function sagaRoutes(routes: RouteRegistry, orchestrator: ApiOrchestrator): void {
  const notFound = (id: string) =>
    new ApiError('SAGA_NOT_FOUND', `no saga with id "${id}"`, { id });

  /** The saga as stored now; `fallback` when it vanished in between (purged). */
  async function view(id: string, window: HistoryWindow, fallback?: SagaRecord) {
    const found = await orchestrator.getSaga(id, window);
    if (found) return sagaView(orchestrator.engine, found.record, found.history, window);
    if (fallback) {
      return sagaView(orchestrator.engine, fallback, { entries: [], total: 0, dropped: 0 }, window);
    }
    throw notFound(id);
  }

  routes.add('startSaga', async ({ body }, req, res) => {
    const { type, input, id } = body as { type: string; input: JsonObject; id?: string };
    const idempotencyKey = req.get('idempotency-key');
    const outcome = await orchestrator.startSaga({
      type,
      input,
      ...(id !== undefined ? { id } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    });
    if (outcome.status === 'rejected') {
      throw outcome.code === 'UNKNOWN_TYPE'
        ? new ApiError('UNKNOWN_SAGA_TYPE', outcome.message, {
            known: orchestrator.definitions().map((d) => d.type),
          })
        : new ApiError('INVALID_INPUT', outcome.message, { errors: outcome.errors });
    }
    if (outcome.status === 'error') {
      // The input made the definition throw, or its first write is one the store refuses.
      throw new ApiError(
        'INVALID_INPUT',
        `a ${type} saga cannot start with this input: ${outcome.error.message}`,
        {
          errors: [outcome.error.message],
        },
      );
    }
    const { record } = outcome;
    if (record.type !== type) {
      throw new ApiError(
        'SAGA_ID_TAKEN',
        `saga id "${record.id}" belongs to a saga of type ${record.type}, not ${type}`,
        { id: record.id, type: record.type },
      );
    }
    const saga = await view(record.id, FIRST_PAGE, record);
    res
      .status(outcome.status === 'started' ? 201 : 200)
      .location(`/v1/sagas/${encodeURIComponent(record.id)}`)
      .json(saga);
  });

  routes.add('listSagas', async ({ query }, _req, res) => {
    const { type, status, state, idPrefix, olderThanMs, overdue, limit, cursor } = query as {
      type?: string;
      status?: SagaStatus;
      state?: string;
      idPrefix?: string;
      olderThanMs?: number;
      overdue?: boolean;
      limit?: number;
      cursor?: string;
    };
    const now = Date.now();
    try {
      const page = await orchestrator.listSagas({
        type,
        status,
        state,
        idPrefix,
        limit,
        cursor,
        ...(olderThanMs !== undefined ? { createdBefore: now - olderThanMs } : {}),
        ...(overdue === true ? { overdueBefore: now - OVERDUE_GRACE_MS } : {}),
      });
      res.json({
        items: page.items.map(sagaSummaryView),
        ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidQueryError) {
        throw new ApiError('INVALID_CURSOR', `the list query cannot be served: ${error.message}`);
      }
      throw error;
    }
  });

  routes.add('getSaga', async ({ params, query }, _req, res) => {
    const window = {
      offset: (query.historyOffset as number | undefined) ?? 0,
      limit: (query.historyLimit as number | undefined) ?? DEFAULT_HISTORY_LIMIT,
    };
    res.json(await view(params.id ?? '', window));
  });

  routes.add('waitForResult', async ({ params, query }, _req, res) => {
    const id = params.id ?? '';
    const timeoutMs = (query.timeoutMs as number | undefined) ?? DEFAULT_RESULT_TIMEOUT_MS;
    const waited = await orchestrator.waitForResult(id, timeoutMs);
    if (!waited) throw notFound(id);
    const saga = await view(id, FIRST_PAGE, waited);
    res.json({ done: isAtRest(saga.status), saga });
  });

  /** 200 with the saga when the signal was applied; 404 / 409 otherwise. */
  async function answerSignal(
    id: string,
    outcome: SignalOutcome,
    refused: (record: SagaRecord, reason: string) => ApiError,
  ): Promise<SagaView> {
    if (outcome.status === 'unknown-saga') throw notFound(id);
    if (outcome.status === 'not-accepted') {
      const { record, reason } = outcome;
      throw reason === 'saga-paused'
        ? (endedOrPaused(record, reason) ?? refused(record, reason))
        : refused(record, reason);
    }
    return view(id, FIRST_PAGE, outcome.record);
  }

  /** 200 with the saga when paused / resumed (or already so); 404 / 409 otherwise. */
  async function answerPause(id: string, outcome: PauseOutcome): Promise<SagaView> {
    if (outcome.status === 'unknown-saga') throw notFound(id);
    if (outcome.status === 'ended') {
      throw endedOrPaused(outcome.record, 'saga-ended') ?? notFound(id);
    }
    return view(id, FIRST_PAGE, outcome.record);
  }

  /** The refusals every action shares: the saga has ended, or an operator paused it. */
  function endedOrPaused(record: SagaRecord, reason: string): ApiError | undefined {
    const details = { status: record.status, state: record.state, reason };
    if (reason === 'saga-ended') {
      return new ApiError(
        'SAGA_ENDED',
        `saga ${record.id} is ${record.status}; nothing moves it any more`,
        details,
      );
    }
    if (reason === 'saga-paused') {
      const by = record.paused ? ` by ${record.paused.actor}` : '';
      return new ApiError(
        'SAGA_PAUSED',
        `saga ${record.id} is paused${by}; resume it (POST /v1/sagas/{id}/resume) first`,
        details,
      );
    }
    return undefined;
  }

  const notAccepted = (what: string) => (record: SagaRecord, reason: string) => {
    const ended = endedOrPaused(record, reason);
    if (ended) return ended;
    const details = { status: record.status, state: record.state, reason };
    const accepts = sagaView(
      orchestrator.engine,
      record,
      { entries: [], total: 0, dropped: 0 },
      FIRST_PAGE,
    ).waitingFor.events;
    return new ApiError(
      'EVENT_NOT_ACCEPTED',
      `saga ${record.id} does not accept ${what} in state ${record.state} (status ${record.status})`,
      { ...details, accepts },
    );
  };

  routes.add('cancelSaga', async ({ params }, req, res) => {
    const id = params.id ?? '';
    const outcome = await orchestrator.cancel(id, operatorAudit(req, res));
    res.json(await answerSignal(id, outcome, notAccepted('cancel')));
  });

  routes.add('pauseSaga', async ({ params }, req, res) => {
    const id = params.id ?? '';
    res.json(await answerPause(id, await orchestrator.pause(id, operatorAudit(req, res))));
  });

  routes.add('resumeSaga', async ({ params }, req, res) => {
    const id = params.id ?? '';
    res.json(await answerPause(id, await orchestrator.resume(id, operatorAudit(req, res))));
  });

  routes.add('retrySaga', async ({ params }, req, res) => {
    const id = params.id ?? '';
    const outcome = await orchestrator.retry(id, operatorAudit(req, res));
    res.json(
      await answerSignal(
        id,
        outcome,
        (record, reason) =>
          new ApiError(
            'NOT_PARKED',
            `saga ${record.id} is ${record.status} (state ${record.state}); only a parked saga can be retried`,
            { status: record.status, state: record.state, reason },
          ),
      ),
    );
  });

  routes.add('signalSaga', async ({ params, body }, req, res) => {
    const id = params.id ?? '';
    const event = body as { type: string } & JsonObject;
    if (isSignalTypeReserved(event.type)) {
      const hint = event.type.startsWith('saga.')
        ? ' (use POST /v1/sagas/{id}/cancel or /retry)'
        : ' (only the engine sends those)';
      throw new ApiError('RESERVED_EVENT', `event type ${event.type} is reserved${hint}`, {
        type: event.type,
      });
    }
    const outcome = await orchestrator.signal(id, event, operatorAudit(req, res));
    if (outcome.status === 'invalid') {
      throw new ApiError('INVALID_EVENT', outcome.message, {
        type: event.type,
        errors: outcome.violations,
      });
    }
    res.json(await answerSignal(id, outcome, notAccepted(event.type)));
  });
}
