/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`), generated from the operation
 * table and the component schemas. OpenAPI 3.1 schemas are JSON Schema 2020-12, so the same
 * objects are handed to ajv as they are.
 */
import { COMPONENT_SCHEMAS, type JsonSchema } from './components.js';
import type { OperationSpec, ResponseSpec } from './operation-spec.js';
import { OPERATIONS, openApiPath } from './operations.js';

export type OpenApiDocument = JsonSchema & {
  openapi: string;
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: JsonSchema };
};

function responseObject(response: ResponseSpec): JsonSchema {
  const content = response.schema
    ? { 'application/json': { schema: { $ref: `#/components/schemas/${response.schema}` } } }
    : response.mediaType
      ? { [response.mediaType.type]: { schema: response.mediaType.schema } }
      : undefined;
  return {
    description: response.description,
    ...(response.headers ? { headers: response.headers } : {}),
    ...(content ? { content } : {}),
  };
}

function operationObject(spec: OperationSpec): JsonSchema {
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    ...(spec.authenticated ? { security: [{ bearerAuth: [] }] } : { security: [] }),
    ...(spec.parameters
      ? {
          parameters: spec.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required ?? false,
            description: p.description,
            schema: p.schema,
          })),
        }
      : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            description: spec.body.description,
            content: {
              'application/json': {
                schema: { $ref: `#/components/schemas/${spec.body.schema}` },
              },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(spec.responses).map(([status, response]) => [
        status,
        responseObject(response),
      ]),
    ),
  };
}

/** Builds the document; `version` is the service's version (package.json). */
export function buildOpenApiDocument(version = '1'): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const spec of OPERATIONS) {
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operationObject(spec) };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Saga orchestrator API',
      version,
      description:
        'Start, inspect and act on sagas. Errors are `{ "error": { "code", "message", "details"? } }`. ' +
        'When the orchestrator runs with API_TOKEN, every /v1 route needs `Authorization: Bearer <token>`. ' +
        'With API_READ_TOKEN as the token, every GET works and every other /v1 operation (an action) answers 403 FORBIDDEN.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      {
        name: 'sagas',
        description: 'Start, read, list, wait for, cancel, signal and retry sagas.',
      },
      { name: 'session', description: 'The caller’s role and the console’s links.' },
      { name: 'definitions', description: 'The saga types and their statecharts.' },
      { name: 'service', description: 'Health, readiness, metrics and this document.' },
    ],
    paths,
    components: {
      schemas: { ...COMPONENT_SCHEMAS },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The value of API_TOKEN (operator) or API_READ_TOKEN (read-only); only required when API_TOKEN is set.',
        },
      },
    },
  };
}
