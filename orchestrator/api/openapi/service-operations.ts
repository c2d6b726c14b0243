/**
 * The operations beside single sagas: the session, the fleet (counts, bulk retry), the
 * definitions and their migrations, and the service's own routes (health, metrics, documents).
 * Part of the table in operations.ts.
 */
import { DEFAULT_BULK_RETRY_LIMIT } from './components.js';
import {
  auditHeaders,
  error,
  unknownQuery,
  v1Errors,
  type OperationSpec,
} from './operation-spec.js';

export const sessionRoutes: OperationSpec[] = [
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

export const fleetRoutes: OperationSpec[] = [
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

export const definitionRoutes: OperationSpec[] = [
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

export const serviceRoutes: OperationSpec[] = [
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
