/**
 * Request validation from the OpenAPI document: each operation's path parameters, query, headers
 * and body are checked with ajv against the very schemas `/openapi.json` publishes. Query values
 * arrive as strings and are coerced to the documented types (`limit=5` → 5), defaults included;
 * an unknown query parameter is refused rather than silently ignored.
 */
import type { RequestHandler, Response } from 'express';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DEFAULT_JSON_LIMITS, depthProblem } from '../../wire/contract/index.js';
import { ApiError } from './api-error.js';
import type { JsonSchema } from './openapi/components.js';
import type { OpenApiDocument } from './openapi/document.js';
import type { OperationSpec, ParameterSpec } from './openapi/operations.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The key the OpenAPI document is registered under in ajv: refs are `openapi.json#/...`. */
export const DOCUMENT_KEY = 'openapi.json';

/** The OpenAPI keywords around the schemas, which ajv must accept and ignore. */
const OPENAPI_KEYWORDS = [
  'openapi',
  'jsonSchemaDialect',
  'info',
  'tags',
  'paths',
  'components',
  'servers',
  'security',
  'webhooks',
  'externalDocs',
];

/** An ajv that knows the document, so `openapi.json#/components/schemas/Saga` resolves. */
export function createDocumentAjv(
  document: OpenApiDocument,
  options: { coerceTypes?: boolean; useDefaults?: boolean } = {},
): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    ...options,
  });
  addFormats(ajv, ['date-time']);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema(document, DOCUMENT_KEY);
  return ajv;
}

/** What a validated request holds, in `res.locals.request`. */
export interface ValidatedRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export function validatedRequest(res: Response): ValidatedRequest {
  const validated = (res.locals as { request?: ValidatedRequest }).request;
  if (!validated) throw new Error('the route has no request validator in front of it');
  return validated;
}

/** `#/components/schemas/X` inside the document → `openapi.json#/components/schemas/X`. */
function absolute(schema: JsonSchema): JsonSchema {
  const reference = schema.$ref;
  return typeof reference === 'string' && reference.startsWith('#')
    ? { $ref: `${DOCUMENT_KEY}${reference}` }
    : schema;
}

function objectSchema(parameters: readonly ParameterSpec[], closed: boolean): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, absolute(p.schema)])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
    ...(closed ? { additionalProperties: false } : {}),
  };
}

type Location = 'path' | 'query' | 'header' | 'body';

function describe(errors: ErrorObject[] | null | undefined, location: Location) {
  return (errors ?? []).slice(0, 10).map((e) => {
    const at = e.instancePath === '' ? '' : e.instancePath;
    const where =
      location === 'body' ? `body${at}` : `${location} parameter ${at.replace(/^\//, '')}`;
    const message =
      e.keyword === 'required'
        ? `${location === 'body' ? where : location} must have property "${String(e.params.missingProperty)}"`
        : e.keyword === 'additionalProperties'
          ? location === 'query'
            ? `unknown query parameter "${String(e.params.additionalProperty)}"`
            : `${where} has unknown property "${String(e.params.additionalProperty)}"`
          : e.keyword === 'enum'
            ? `${where} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`
            : `${where} ${e.message ?? 'is invalid'}`;
    return { in: location, path: e.instancePath, message };
  });
}

function fail(problems: ReturnType<typeof describe>): never {
  throw new ApiError('VALIDATION_FAILED', problems.map((p) => p.message).join('; '), {
    errors: problems,
  });
}

/**
 * ajv's coercion turns `Infinity`, `1e400` or 400 digits into `Infinity` and then passes it as an
 * integer within any `maximum` (its range keywords skip non-finite numbers). No query parameter
 * of the document is unbounded, so a coerced number that is not finite is refused here; it would
 * otherwise reach Redis as an index (ERR, a 500) or a timer as a delay.
 */
function infiniteNumbers(query: Record<string, unknown>): ReturnType<typeof describe> {
  return Object.entries(query)
    .filter(([, value]) => typeof value === 'number' && !Number.isFinite(value))
    .map(([name]) => ({
      in: 'query' as const,
      path: `/${name}`,
      message: `query parameter ${name} must be a finite integer`,
    }));
}

/** The validating middleware of one operation. */
export function requestValidator(
  spec: OperationSpec,
  ajv: { strict: Ajv2020; coercing: Ajv2020 },
): RequestHandler {
  const params = spec.parameters ?? [];
  const inPath = params.filter((p) => p.in === 'path');
  const inQuery = params.filter((p) => p.in === 'query');
  const inHeader = params.filter((p) => p.in === 'header');
  const checkPath = ajv.strict.compile(objectSchema(inPath, false));
  const checkQuery = ajv.coercing.compile(objectSchema(inQuery, true));
  const headerChecks = inHeader.map((p) => ({
    name: p.name,
    check: ajv.strict.compile(absolute(p.schema)),
  }));
  const checkBody: ValidateFunction | undefined = spec.body
    ? ajv.strict.compile({ $ref: `${DOCUMENT_KEY}#/components/schemas/${spec.body.schema}` })
    : undefined;

  return (req, res, next) => {
    const pathValues = { ...req.params } as Record<string, string>;
    if (!checkPath(pathValues)) fail(describe(checkPath.errors, 'path'));
    // Express 5 computes req.query on every read: validate (and coerce) a copy.
    const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
    if (!checkQuery(query)) fail(describe(checkQuery.errors, 'query'));
    const unbounded = infiniteNumbers(query);
    if (unbounded.length > 0) fail(unbounded);
    for (const { name, check } of headerChecks) {
      const value = req.get(name);
      if (value !== undefined && !check(value)) {
        fail(
          describe(check.errors, 'header').map((p) => ({
            ...p,
            message: `header ${name} ${p.message.replace(/^header parameter\s*/, '')}`,
          })),
        );
      }
    }
    if (checkBody) {
      if (req.body === undefined) {
        throw req.is('application/json') === false && req.get('content-type') !== undefined
          ? new ApiError(
              'UNSUPPORTED_MEDIA_TYPE',
              `the body must be application/json, not ${req.get('content-type')}`,
            )
          : new ApiError(
              'VALIDATION_FAILED',
              'this route needs a JSON body (Content-Type: application/json)',
            );
      }
      // Before the schema and the engine: a deeply nested body would overflow the engine's
      // snapshot copy (a 500). The byte limit is express.json's (a 413).
      const tooDeep = depthProblem(req.body, DEFAULT_JSON_LIMITS);
      if (tooDeep) {
        throw new ApiError('VALIDATION_FAILED', `the body is ${tooDeep}`, {
          limit: 'maxDepth',
          maxDepth: DEFAULT_JSON_LIMITS.maxDepth,
        });
      }
      if (!checkBody(req.body)) fail(describe(checkBody.errors, 'body'));
    }
    const validated: ValidatedRequest = { params: pathValues, query, body: req.body };
    (res.locals as { request?: ValidatedRequest }).request = validated;
    next();
  };
}
