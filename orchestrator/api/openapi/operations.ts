/**
 * Every route of the HTTP API, described once. The OpenAPI document is generated from this table,
 * the request validators are compiled from it, and `defineRoute` registers a handler only for an
 * operation listed here — so what is documented is what is served and what is checked.
 */
import { SAGA_STATUSES } from '../../../wire/contract/index.js';
import {
  DEFAULT_BULK_RETRY_LIMIT,
  SAGA_ID_PATTERN,
  type ComponentName,
  type JsonSchema,
} from './components.js';

export { DEFAULT_BULK_RETRY_LIMIT, MAX_BULK_RETRY_LIMIT } from './components.js';

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description: string;
  schema: JsonSchema;
}

export interface ResponseSpec {
  description: string;
  /** A JSON body with this schema. */
  schema?: ComponentName;
  /** A body that is not JSON (e.g. Prometheus text); documented, not validated. */
  mediaType?: { type: string; schema: JsonSchema };
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface OperationSpec {
  operationId: string;
  method: 'get' | 'post';
  /** Express path syntax (`/v1/sagas/:id`); the document shows `{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Under the bearer token when `API_TOKEN` is set. */
  authenticated: boolean;
  parameters?: ParameterSpec[];
  body?: { schema: ComponentName; description: string };
  responses: Record<number, ResponseSpec>;
}

/** The most a client may wait in one `GET /v1/sagas/{id}/result`. */
export const MAX_RESULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RESULT_TIMEOUT_MS = 30_000;
export const DEFAULT_HISTORY_LIMIT = 200;
export const MAX_HISTORY_LIMIT = 1_000;
/** How far past due a timer must be for `overdue=true` to list its saga (polling lag is not stuck). */
export const OVERDUE_GRACE_MS = 5_000;
/** Largest `olderThanMs`: 10 years. */
export const MAX_OLDER_THAN_MS = 10 * 365 * 24 * 3_600_000;
/** Largest `historyOffset`: Redis list indexes are 64-bit; 2^31 − 1 is far past any history. */
export const MAX_HISTORY_OFFSET = 2_147_483_647;

const sagaIdParameter: ParameterSpec = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The saga id.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: SAGA_ID_PATTERN },
};

const error = (description: string): ResponseSpec => ({ description, schema: 'Error' });

/** Who asks for an action and why: written into the saga's history (`kind: operator`). */
const auditHeaders: ParameterSpec[] = [
  {
    name: 'Saga-Actor',
    in: 'header',
    description:
      'Who asks (free text, UTF-8 percent-encoded as by encodeURIComponent); absent: the ' +
      'caller’s role, e.g. operator. Written into the saga’s history.',
    schema: { type: 'string', maxLength: 1000 },
  },
  {
    name: 'Saga-Reason',
    in: 'header',
    description: 'Why (free text, percent-encoded likewise); optional. Written into the history.',
    schema: { type: 'string', maxLength: 2000 },
  },
];

const pausedRefusal = ' A paused saga refuses it (SAGA_PAUSED): resume it first.';

/** Every operation refuses a query parameter it does not take; those without any say only that. */
const unknownQuery = error('A query parameter this operation does not take (VALIDATION_FAILED).');

/** The responses every `/v1` route may give besides its own. */
const v1Errors: Record<number, ResponseSpec> = {
  401: {
    ...error(
      'API_TOKEN is set and the request has no valid bearer token (API_TOKEN or API_READ_TOKEN).',
    ),
    headers: {
      'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } },
    },
  },
  500: error('An unexpected failure; the orchestrator’s log has the details.'),
  503: error('Redis cannot be reached.'),
};

const sagaRoutes: OperationSpec[] = [
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

const sessionRoutes: OperationSpec[] = [
  {
    operationId: 'getSession',
    method: 'get',
    path: '/v1/session',
    summary: 'Who the caller is (its role) and where the console links to',
    description:
      'The console asks once per page: `role` says whether to offer actions (read-only: every ' +
      'action answers 403 FORBIDDEN), `links` the Grafana base URL and the trace URL template ' +
      '(with `{traceId}`) when the orchestrator is configured with them.',
    tags: ['session'],
    authenticated: true,
    responses: {
      200: { description: 'The caller’s role and the configured links.', schema: 'Session' },
      400: unknownQuery,
      ...v1Errors,
    },
  },
];

const fleetRoutes: OperationSpec[] = [
  {
    operationId: 'retryParked',
    method: 'post',
    path: '/v1/sagas/retry-parked',
    summary: 'Retry every parked saga of a type (and state), or count them with a dry run',
    description:
      'Pages through the parked sagas of the type, newest first, at most `limit` ' +
      `(default ${DEFAULT_BULK_RETRY_LIMIT}; call again for the rest), and retries each as ` +
      'POST /v1/sagas/{id}/retry does. With dryRun nothing changes: `ids` lists the sagas that ' +
      'would be retried. A saga whose retry is refused (it moved on meanwhile) or fails is in ' +
      '`failed` with the reason; the others are retried regardless.',
    tags: ['sagas'],
    authenticated: true,
    body: { schema: 'RetryParkedRequest', description: 'Which parked sagas.' },
    responses: {
      200: { description: 'What was retried (or would be).', schema: 'RetryParkedResult' },
      400: error('The body is not valid (VALIDATION_FAILED).'),
      413: error('The body is larger than the limit.'),
      415: error('The body is not application/json.'),
      ...v1Errors,
    },
  },
];

const definitionRoutes: OperationSpec[] = [
  {
    operationId: 'listDefinitions',
    method: 'get',
    path: '/v1/definitions',
    summary: 'The saga types this orchestrator runs, with their steps',
    tags: ['definitions'],
    authenticated: true,
    responses: {
      200: { description: 'The definitions.', schema: 'DefinitionList' },
      400: unknownQuery,
      ...v1Errors,
    },
  },
  {
    operationId: 'getDefinition',
    method: 'get',
    path: '/v1/definitions/:type',
    summary: 'One definition, with its statechart as JSON',
    description:
      'The version new sagas start on, or with `version` any version this orchestrator runs ' +
      '(a saga runs on the version that started it: its `version`).',
    tags: ['definitions'],
    authenticated: true,
    parameters: [
      {
        name: 'type',
        in: 'path',
        required: true,
        description: 'Saga type.',
        schema: { type: 'string' },
      },
      {
        name: 'version',
        in: 'query',
        description: 'A version of the type (default: the one new sagas start on).',
        schema: { type: 'string', minLength: 1, maxLength: 100 },
      },
    ],
    responses: {
      200: { description: 'The definition.', schema: 'Definition' },
      400: error(
        'A query parameter this operation does not take, or a type that is not valid percent-encoding (VALIDATION_FAILED).',
      ),
      404: error('No such type, or no such version of it (DEFINITION_NOT_FOUND).'),
      ...v1Errors,
    },
  },
  {
    operationId: 'migrateSagas',
    method: 'post',
    path: '/v1/definitions/:type/migrations',
    summary: 'Move waiting sagas from one definition version to another, or list who would move',
    description:
      'Applies the migration version `to` declares from version `from` to the sagas of the type ' +
      'on `from` that are running or parked (in `state`, when given), newest first, at most ' +
      '`limit`. A saga moves only at rest in a mapped state: no command in flight, not paused; its ' +
      'armed deadlines carry over with their due time. Each move is atomic (compare-and-set on the ' +
      'saga’s revision) and adds an operator line (Saga-Actor, Saga-Reason, versions and states) ' +
      'to its history; a saga that moved on meanwhile is looked at again, never overwritten. ' +
      'With dryRun nothing changes. Sagas that stay are in `cannot`, with why.',
    tags: ['definitions'],
    authenticated: true,
    parameters: [
      {
        name: 'type',
        in: 'path',
        required: true,
        description: 'Saga type.',
        schema: { type: 'string' },
      },
      ...auditHeaders,
    ],
    body: { schema: 'MigrationRequest', description: 'Which versions and sagas.' },
    responses: {
      200: { description: 'Who moved (or would), who cannot and why.', schema: 'MigrationResult' },
      400: error('The body is not valid, or a header is not percent-encoded (VALIDATION_FAILED).'),
      404: error('No such type, or `to` declares no migration from `from` (DEFINITION_NOT_FOUND).'),
      413: error('The body is larger than the limit.'),
      415: error('The body is not application/json.'),
      ...v1Errors,
    },
  },
];

const serviceRoutes: OperationSpec[] = [
  {
    operationId: 'health',
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process serves requests',
    tags: ['service'],
    authenticated: false,
    responses: { 200: { description: 'Up.', schema: 'Health' }, 400: unknownQuery },
  },
  {
    operationId: 'readiness',
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: Redis and a Kafka broker answer and the consumer is in its group',
    tags: ['service'],
    authenticated: false,
    responses: {
      200: { description: 'Ready.', schema: 'Readiness' },
      503: { description: 'Not ready; checks says what fails.', schema: 'Readiness' },
      400: unknownQuery,
    },
  },
  {
    operationId: 'metrics',
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['service'],
    authenticated: false,
    responses: {
      200: {
        description: 'Prometheus text exposition format.',
        mediaType: { type: 'text/plain', schema: { type: 'string' } },
      },
      400: unknownQuery,
      404: error('Metrics are not enabled in this process.'),
    },
  },
  {
    operationId: 'openapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['service'],
    authenticated: false,
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document.',
        mediaType: { type: 'application/json', schema: { type: 'object' } },
      },
      400: unknownQuery,
    },
  },
  {
    operationId: 'asyncapi',
    method: 'get',
    path: '/asyncapi.json',
    summary: 'The AsyncAPI 3.0 document of the wire contract for the loaded definitions',
    description:
      'Every topic under this orchestrator’s prefix, every command and reply of the loaded saga types with their payload schemas, the start request, the lifecycle event, the dead letter, their headers, and who sends and receives each.',
    tags: ['service'],
    authenticated: false,
    responses: {
      200: {
        description: 'The AsyncAPI 3.0 document.',
        mediaType: { type: 'application/json', schema: { type: 'object' } },
      },
      400: unknownQuery,
    },
  },
];

/**
 * An action: any operation under `/v1` that is not a GET. The read-only token may not call one
 * (403 FORBIDDEN); derived from the table, so an operation added later is covered without a list.
 */
export function isActionOperation(spec: Pick<OperationSpec, 'method' | 'path'>): boolean {
  return spec.path.startsWith('/v1/') && spec.method !== 'get';
}

const forbidden = error('The read-only token (API_READ_TOKEN) may not do this (FORBIDDEN).');

/** Every action documents the 403 its role check may answer. */
const withRoleErrors = (spec: OperationSpec): OperationSpec =>
  isActionOperation(spec) ? { ...spec, responses: { ...spec.responses, 403: forbidden } } : spec;

export const OPERATIONS: readonly OperationSpec[] = [
  ...sagaRoutes,
  ...fleetRoutes,
  ...sessionRoutes,
  ...definitionRoutes,
  ...serviceRoutes,
].map(withRoleErrors);

export type OperationId = (typeof OPERATIONS)[number]['operationId'];

export function operation(operationId: string): OperationSpec {
  const found = OPERATIONS.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no API operation "${operationId}"`);
  return found;
}

/** `/v1/sagas/:id` → `/v1/sagas/{id}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
