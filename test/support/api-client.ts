/**
 * A small HTTP client for API tests that checks every response against the OpenAPI document the
 * server publishes: the status must be documented for the operation, the content type must be one
 * the response documents, and the body must match its schema (validated with ajv). A response that
 * drifts from the document fails the test that received it. Tests call the API through it, not
 * through `fetch`.
 *
 * @example
 * const api = apiClient(system.apiUrl, { token: 'secret' });
 * const res = await api.post<SagaView>('/v1/sagas', { type: 'order', input });
 * expect(res.status).to.equal(201);
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import {
  buildOpenApiDocument,
  createDocumentAjv,
  DOCUMENT_KEY,
} from '../../orchestrator/api/index.js';

/** Kept here too: the API tests poll with it. */
export { eventually } from './eventually.js';

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is (with the given content type, or none). */
  raw?: string;
  headers?: Record<string, string>;
  /** Overrides the client's token; `null` sends none. */
  token?: string | null;
  /** Skip the contract check, for requests the document cannot describe (e.g. `/V1/...`, which
   * Express routes case-insensitively while the document names `/v1/...` only). */
  unchecked?: boolean;
}

const document = buildOpenApiDocument();
const ajv = createDocumentAjv(document);
const validators = new Map<string, ValidateFunction>();

interface DocumentedResponse {
  content?: Record<string, { schema?: unknown }>;
}
interface DocumentedOperation {
  operationId: string;
  responses: Record<string, DocumentedResponse>;
}

/** A path of the document (`/v1/sagas/{id}`) as a pattern for a request path. */
const documentedPaths = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(
    `^${template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}$`,
  ),
}));

/** A JSON pointer into the document, as a URI fragment ajv resolves. */
const pointer = (...segments: string[]) =>
  segments
    .map((s) => `/${encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))}`)
    .join('');

function validatorAt(fragment: string): ValidateFunction {
  let validate = validators.get(fragment);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_KEY}#${fragment}` });
    validators.set(fragment, validate);
  }
  return validate;
}

/** A response as a test received it. */
export interface ReceivedResponse {
  method: string;
  /** The request path, query included. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as sent. */
  text: string;
}

const isJson = (mediaType: string) =>
  mediaType === 'application/json' || mediaType.endsWith('+json');

/**
 * Throws when the response is not one the OpenAPI document (the one `GET /openapi.json` serves)
 * gives for `method path`: the status must be documented for the operation, the content type must
 * be one of the response's media types (no body when it documents none), and the body must match
 * the media type's schema. Requests the document has no operation for must get the JSON error of
 * an unknown route: 404, or 405 when the path exists with other methods.
 */
export function checkAgainstDocument(received: ReceivedResponse): void {
  const { method, path, status, contentType, text } = received;
  const where = `${method} ${path} → ${status}`;
  const pathname = path.split('?')[0] ?? path;
  const verb = method.toLowerCase();
  // `/v1/sagas/counts` matches both itself and `/v1/sagas/{id}`: the one with this method answers
  // (as in express, where the route that has the method takes the request), literal paths first.
  const matching = documentedPaths.filter((p) => p.pattern.test(pathname));
  const template = (
    matching.find((p) => !p.template.includes('{') && document.paths[p.template]?.[verb]) ??
    matching.find((p) => document.paths[p.template]?.[verb]) ??
    matching[0]
  )?.template;
  const item = template ? document.paths[template] : undefined;
  const operation = item?.[verb] as DocumentedOperation | undefined;
  if (!template || !operation) {
    const expected = template ? 405 : 404;
    if (status !== expected) {
      throw new Error(
        `${where}: the document has no ${method} ${pathname}, so ${expected} was due`,
      );
    }
    checkBody(
      where,
      contentType,
      text,
      'application/json',
      pointer('components', 'schemas', 'Error'),
    );
    return;
  }
  const response = operation.responses[String(status)];
  if (!response) {
    throw new Error(
      `${where}: status ${status} is not documented for ${operation.operationId} (${text.slice(0, 500)})`,
    );
  }
  const mediaTypes = Object.keys(response.content ?? {});
  if (mediaTypes.length === 0) {
    if (text !== '') throw new Error(`${where}: the document gives this response no body`);
    return;
  }
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!mediaTypes.includes(mediaType)) {
    throw new Error(
      `${where}: content type ${contentType} is not documented (${mediaTypes.join(', ')})`,
    );
  }
  checkBody(
    where,
    contentType,
    text,
    mediaType,
    pointer('paths', template, verb, 'responses', String(status), 'content', mediaType, 'schema'),
  );
}

function checkBody(
  where: string,
  contentType: string | null,
  text: string,
  mediaType: string,
  schemaAt: string,
): void {
  if (!contentType?.toLowerCase().startsWith(mediaType)) {
    throw new Error(`${where}: content type ${contentType} is not ${mediaType}`);
  }
  let body: unknown = text;
  if (isJson(mediaType)) {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${where}: the body is not JSON: ${text.slice(0, 500)}`);
    }
  }
  const validate = validatorAt(schemaAt);
  if (!validate(body)) {
    throw new Error(
      `${where}: the body does not match ${schemaAt}: ${ajv.errorsText(validate.errors)}\n` +
        text.slice(0, 2000),
    );
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  get<T>(path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  post<T>(path: string, json?: unknown, options?: RequestOptions): Promise<ApiResponse<T>>;
}

export function apiClient(
  baseUrl: string | undefined,
  defaults: { token?: string } = {},
): ApiClient {
  if (!baseUrl) throw new Error('the system was started without the API (api: true)');
  const request = async <T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? defaults.token : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.raw !== undefined) {
      body = options.raw;
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    const contentType = response.headers.get('content-type');
    let parsed: unknown;
    if (contentType?.includes('json')) parsed = JSON.parse(text) as unknown;
    if (!options.unchecked) {
      checkAgainstDocument({ method, path, status: response.status, contentType, text });
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };
  return {
    baseUrl,
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, json, options) =>
      request('POST', path, { ...options, ...(json !== undefined ? { json } : {}) }),
  };
}
