/**
 * What the API's component schemas are built from: the schema type, references between
 * components, the shapes many of them share, and the limits the schemas state.
 */
import requestSchema from '../../../wire/contract/schemas/v1/request.schema.json' with { type: 'json' };

export type JsonSchema = { [keyword: string]: unknown };

/** `#/components/schemas/<name>` (untyped here: the names are known only once the table is). */
export const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export const time: JsonSchema = {
  type: 'string',
  format: 'date-time',
  description: 'An instant, ISO 8601 in UTC.',
};

export const jsonObject: JsonSchema = { type: 'object' };

export const traceId: JsonSchema = {
  type: 'string',
  pattern: '^[0-9a-f]{32}$',
  description: 'The saga’s trace id (W3C), when it started with tracing on.',
};

export const SAGA_ID_PATTERN = requestSchema.properties.id.pattern;

/** Largest `limit` of one bulk retry (`POST /v1/sagas/retry-parked`), and its default. */
export const MAX_BULK_RETRY_LIMIT = 10_000;
export const DEFAULT_BULK_RETRY_LIMIT = 1_000;
