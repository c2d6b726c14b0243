/**
 * The operations on sagas one at a time (`/v1/sagas`, `/v1/sagas/{id}/…`): start, read, wait for
 * the result, the history, and the operator's actions. Part of the table in operations.ts.
 */
import { SAGA_STATUSES } from '../../../wire/contract/index.js';
import {
  auditHeaders,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RESULT_TIMEOUT_MS,
  error,
  MAX_HISTORY_LIMIT,
  MAX_HISTORY_OFFSET,
  MAX_OLDER_THAN_MS,
  MAX_RESULT_TIMEOUT_MS,
  OVERDUE_GRACE_MS,
  pausedRefusal,
  sagaIdParameter,
  unknownQuery,
  v1Errors,
  type OperationSpec,
} from './operation-spec.js';

export const sagaRoutes: OperationSpec[] = [
  {
    operationId: 'startSaga',
    method: 'post',
    path: '/v1/sagas',
    summary: 'Start a saga',
    description:
      'The saga’s first step is persisted before the response (read-your-writes): a GET right ' +
      'after shows it. With an Idempotency-Key, the same key (for the same type) always names ' +
      'the same saga: the first request creates it (201), every later one returns it (200), ' +
      'concurrent ones included. The body of a repeated request is not compared with the first.',
    tags: ['sagas'],
    authenticated: true,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        description: 'Any string of 1 to 200 characters; the same key returns the same saga.',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
    ],
    body: { schema: 'StartSagaRequest', description: 'What to start.' },
    responses: {
      201: {
        description: 'Started.',
        schema: 'Saga',
        headers: { Location: { description: '/v1/sagas/{id}', schema: { type: 'string' } } },
      },
      200: {
        description: 'A saga with this id (or idempotency key) exists already: here it is.',
        schema: 'Saga',
        headers: { Location: { description: '/v1/sagas/{id}', schema: { type: 'string' } } },
      },
      400: error(
        'The body is not valid (nested deeper than 64 levels included), the type is unknown ' +
          '(UNKNOWN_SAGA_TYPE) or the definition refused the input (INVALID_INPUT, details.errors).',
      ),
      409: error('The id is taken by a saga of another type (SAGA_ID_TAKEN).'),
      413: error('The body is larger than the limit.'),
      415: error('The body is not application/json.'),
      ...v1Errors,
    },
  },
  {
    operationId: 'listSagas',
    method: 'get',
    path: '/v1/sagas',
    summary: 'List sagas, newest first',
    description:
      'Served from the store’s indexes (a page never loads all sagas). Filters combine; `state` ' +
      'is best used with `type`. A page may hold fewer than `limit` items and still have a ' +
      'nextCursor (the store examines a bounded number of index entries per page).',
    tags: ['sagas'],
    authenticated: true,
    parameters: [
      { name: 'type', in: 'query', description: 'Saga type.', schema: { type: 'string' } },
      {
        name: 'status',
        in: 'query',
        description: 'Saga status.',
        schema: { type: 'string', enum: [...SAGA_STATUSES] },
      },
      {
        name: 'state',
        in: 'query',
        description: 'Statechart state, e.g. awaitingApproval.',
        schema: { type: 'string' },
      },
      {
        name: 'idPrefix',
        in: 'query',
        description: 'Only sagas whose id starts with this (checked on the index, no saga read).',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
      {
        name: 'olderThanMs',
        in: 'query',
        description: 'Only sagas created more than this many milliseconds ago.',
        schema: { type: 'integer', minimum: 0, maximum: MAX_OLDER_THAN_MS },
      },
      {
        name: 'overdue',
        in: 'query',
        description:
          `Only running sagas stuck past a deadline: an armed timer (step deadline, retry ` +
          `backoff, approval deadline) more than ${OVERDUE_GRACE_MS / 1000} s past due and not ` +
          'fired. Read from the shards’ timer sets.',
        schema: { type: 'boolean' },
      },
      {
        name: 'limit',
        in: 'query',
        description: 'Page size.',
        schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      },
      {
        name: 'cursor',
        in: 'query',
        description: 'The nextCursor of the previous page.',
        schema: { type: 'string', minLength: 1 },
      },
    ],
    responses: {
      200: { description: 'A page.', schema: 'SagaPage' },
      400: error('A parameter is not valid (VALIDATION_FAILED, INVALID_CURSOR).'),
      ...v1Errors,
    },
  },
  {
    operationId: 'countSagas',
    method: 'get',
    path: '/v1/sagas/counts',
    summary: 'Live counts of the stored sagas by type and status',
    description:
      'From the counters every step updates with the indexes (no scan); ended sagas count until ' +
      'they are purged. Statuses with no saga are left out. (A saga whose id is `counts` is read ' +
      'by this path, not GET /v1/sagas/{id}: give sagas other ids.)',
    tags: ['sagas'],
    authenticated: true,
    responses: {
      200: { description: 'The counts.', schema: 'SagaCounts' },
      400: unknownQuery,
      ...v1Errors,
    },
  },
  {
    operationId: 'getSaga',
    method: 'get',
    path: '/v1/sagas/:id',
    summary: 'One saga: state, context, history, what it waits for',
    tags: ['sagas'],
    authenticated: true,
    parameters: [
      sagaIdParameter,
      {
        name: 'historyOffset',
        in: 'query',
        description:
          'First history entry to return (oldest is 0). A saga keeps at most its history limit of entries, so larger offsets only answer an empty page; the bound keeps the value a Redis index.',
        schema: { type: 'integer', minimum: 0, maximum: MAX_HISTORY_OFFSET, default: 0 },
      },
      {
        name: 'historyLimit',
        in: 'query',
        description: 'History entries to return.',
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_HISTORY_LIMIT,
          default: DEFAULT_HISTORY_LIMIT,
        },
      },
    ],
    responses: {
      200: { description: 'The saga.', schema: 'Saga' },
      400: error('A parameter is not valid.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      ...v1Errors,
    },
  },
  {
    operationId: 'waitForResult',
    method: 'get',
    path: '/v1/sagas/:id/result',
    summary: 'Wait until the saga is no longer running (long poll)',
    description:
      'Answers as soon as the saga has ended or parked (done: true), or with its current state ' +
      `when timeoutMs passes (done: false). timeoutMs is capped at ${MAX_RESULT_TIMEOUT_MS}; ` +
      'call again to wait longer.',
    tags: ['sagas'],
    authenticated: true,
    parameters: [
      sagaIdParameter,
      {
        name: 'timeoutMs',
        in: 'query',
        description: 'How long to wait at most, in milliseconds.',
        schema: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_RESULT_TIMEOUT_MS,
          default: DEFAULT_RESULT_TIMEOUT_MS,
        },
      },
    ],
    responses: {
      200: { description: 'The saga, and whether it is done.', schema: 'SagaResult' },
      400: error('A parameter is not valid.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      ...v1Errors,
    },
  },
  {
    operationId: 'cancelSaga',
    method: 'post',
    path: '/v1/sagas/:id/cancel',
    summary: 'Cancel a running saga: its compensations run, it ends cancelled',
    description:
      'Accepted while the saga goes forward (a step in flight included). The response shows the ' +
      'saga once the cancel is applied; the compensations then run (wait with /result).',
    tags: ['sagas'],
    authenticated: true,
    parameters: [sagaIdParameter, ...auditHeaders],
    responses: {
      200: { description: 'Cancelling.', schema: 'Saga' },
      400: error('The id is not a valid saga id.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      409: error(
        'The saga has ended (SAGA_ENDED) or cannot be cancelled where it is, e.g. while it ' +
          'compensates or is parked (EVENT_NOT_ACCEPTED).' +
          pausedRefusal,
      ),
      ...v1Errors,
    },
  },
  {
    operationId: 'signalSaga',
    method: 'post',
    path: '/v1/sagas/:id/events',
    summary: 'Send an external event into the saga’s statechart',
    description:
      'E.g. order.approve or order.reject for an order waiting for approval. The saga view’s ' +
      'waitingFor.events lists what it accepts now.',
    tags: ['sagas'],
    authenticated: true,
    parameters: [sagaIdParameter, ...auditHeaders],
    body: { schema: 'SignalRequest', description: 'The event.' },
    responses: {
      200: { description: 'Applied; the saga as it is now.', schema: 'Saga' },
      400: error(
        'Not a valid event (nested deeper than 64 levels included), a reserved type ' +
          '(RESERVED_EVENT), or fields that break the schema the saga’s definition declares ' +
          'for the signal (INVALID_EVENT; details.errors lists each violation as { path, message }).',
      ),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      409: error(
        'The saga does not accept this event in its state (EVENT_NOT_ACCEPTED) or has ended ' +
          '(SAGA_ENDED); details has its status and state.' +
          pausedRefusal,
      ),
      413: error('The body is larger than the limit.'),
      415: error('The body is not application/json.'),
      ...v1Errors,
    },
  },
  {
    operationId: 'retrySaga',
    method: 'post',
    path: '/v1/sagas/:id/retry',
    summary: 'Retry the compensation a parked saga is stuck on',
    tags: ['sagas'],
    authenticated: true,
    parameters: [sagaIdParameter, ...auditHeaders],
    responses: {
      200: { description: 'Compensating again.', schema: 'Saga' },
      400: error('The id is not a valid saga id.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      409: error('The saga is not parked (NOT_PARKED).' + pausedRefusal),
      ...v1Errors,
    },
  },
  {
    operationId: 'pauseSaga',
    method: 'post',
    path: '/v1/sagas/:id/pause',
    summary: 'Pause a running or parked saga: it sends no command and fires no deadline',
    description:
      'When this answers, no command of the saga is published any more (one the outbox relay ' +
      'was publishing is out before it answers). Replies that arrive are recorded and applied ' +
      'on resume; signals, cancel and retry are refused (SAGA_PAUSED) until then. Pausing a ' +
      'paused saga changes nothing.',
    tags: ['sagas'],
    authenticated: true,
    parameters: [sagaIdParameter, ...auditHeaders],
    responses: {
      200: { description: 'Paused; the saga view has `paused`.', schema: 'Saga' },
      400: error('The id is not a valid saga id, or a header is not percent-encoded.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      409: error('The saga has ended (SAGA_ENDED).'),
      ...v1Errors,
    },
  },
  {
    operationId: 'resumeSaga',
    method: 'post',
    path: '/v1/sagas/:id/resume',
    summary: 'Resume a paused saga',
    description:
      'Its timers and deadlines move later by the time it was paused (a deadline counts only ' +
      'time the saga could make progress), its held commands are published and the replies ' +
      'it held are applied, in arrival order. Resuming a saga that is not paused changes nothing.',
    tags: ['sagas'],
    authenticated: true,
    parameters: [sagaIdParameter, ...auditHeaders],
    responses: {
      200: { description: 'Resumed; the saga as it is now.', schema: 'Saga' },
      400: error('The id is not a valid saga id, or a header is not percent-encoded.'),
      404: error('No such saga (SAGA_NOT_FOUND).'),
      409: error('The saga has ended (SAGA_ENDED).'),
      ...v1Errors,
    },
  },
];
