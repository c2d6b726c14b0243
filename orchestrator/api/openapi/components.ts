/**
 * The JSON Schemas of the API's bodies, as they appear under `components.schemas` of the OpenAPI
 * document. The same objects validate requests at run time (see `request-validation.ts`) and the
 * integration tests validate every response against them, so the document, the validation and the
 * wire cannot drift apart. The start request reuses the wire contract's own property schemas
 * (`wire/contract/schemas/v1/request.schema.json`): `POST /v1/sagas` and a message on
 * `<prefix>.requests` accept exactly the same `type`, `input` and `id`.
 * The schemas live in files by subject (saga-, fleet- and definition-schemas.ts); this file
 * assembles them in the document's order.
 */
import { definitionSchemas } from './definition-schemas.js';
import { fleetSchemas } from './fleet-schemas.js';
import { sagaSchemas, sagaViewSchemas } from './saga-schemas.js';
import { refTo, type JsonSchema } from './schema-primitives.js';

export {
  DEFAULT_BULK_RETRY_LIMIT,
  MAX_BULK_RETRY_LIMIT,
  SAGA_ID_PATTERN,
  type JsonSchema,
} from './schema-primitives.js';

const components = {
  Error: {
    type: 'object',
    description: 'Every 4xx and 5xx response.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: {
            type: 'string',
            description: 'Stable and machine-readable, e.g. VALIDATION_FAILED, SAGA_NOT_FOUND.',
          },
          message: { type: 'string', description: 'What is wrong, in one line.' },
          details: { type: 'object', description: 'What a client can act on.' },
        },
      },
    },
  },
  ...sagaSchemas,
  ...fleetSchemas,
  ...sagaViewSchemas,
  ...definitionSchemas,
  Session: {
    type: 'object',
    required: ['role', 'links'],
    additionalProperties: false,
    properties: {
      role: {
        type: 'string',
        enum: ['operator', 'read-only'],
        description: 'operator: every route; read-only: every GET (an action answers 403).',
      },
      links: {
        type: 'object',
        additionalProperties: false,
        properties: {
          grafanaUrl: {
            type: 'string',
            description: 'Base URL of Grafana (CONSOLE_GRAFANA_URL), when configured.',
          },
          traceUrlTemplate: {
            type: 'string',
            description:
              'URL of one trace with `{traceId}` in it (CONSOLE_TRACE_URL), when configured.',
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      checks: { type: 'object', additionalProperties: { type: 'boolean' } },
    },
  },
} satisfies Record<string, JsonSchema>;

export type ComponentName = keyof typeof components;

export const COMPONENT_SCHEMAS: Record<ComponentName, JsonSchema> = components;

/** `{ $ref: '#/components/schemas/<name>' }` */
export const ref = (name: ComponentName): JsonSchema => refTo(name);
