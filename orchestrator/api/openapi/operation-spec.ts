/**
 * The vocabulary of the operation table (operations.ts): what an operation, a parameter and a
 * response are, the API's limits, and the parameters and errors many operations share.
 */
import { SAGA_ID_PATTERN, type ComponentName, type JsonSchema } from './components.js';

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

export const sagaIdParameter: ParameterSpec = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The saga id.',
  schema: { type: 'string', minLength: 1, maxLength: 200, pattern: SAGA_ID_PATTERN },
};

export const error = (description: string): ResponseSpec => ({ description, schema: 'Error' });

/** Who asks for an action and why: written into the saga's history (`kind: operator`). */
export const auditHeaders: ParameterSpec[] = [
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

export const pausedRefusal = ' A paused saga refuses it (SAGA_PAUSED): resume it first.';

/** Every operation refuses a query parameter it does not take; those without any say only that. */
export const unknownQuery = error(
  'A query parameter this operation does not take (VALIDATION_FAILED).',
);

/** The responses every `/v1` route may give besides its own. */
export const v1Errors: Record<number, ResponseSpec> = {
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
