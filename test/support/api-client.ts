/**
 * A small HTTP client for API tests that checks every response against the OpenAPI document the
 * server publishes: the status must be documented for the operation, and a JSON body must match
 * the documented schema (validated with ajv). A response that drifts from the document fails the
 * test that received it.
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
  OPERATIONS,
  type OperationSpec,
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
  /** Skip the contract check (for requests the document cannot describe, e.g. unknown routes). */
  unchecked?: boolean;
}

const document = buildOpenApiDocument();
const ajv = createDocumentAjv(document);
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: string): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_KEY}#/components/schemas/${schema}` });
    validators.set(schema, validate);
  }
  return validate;
}

/** The operation serving `method path`, if the document has one. */
export function operationFor(method: string, path: string): OperationSpec | undefined {
  const pathname = path.split('?')[0] ?? path;
  return OPERATIONS.find(
    (o) =>
      o.method === method.toLowerCase() &&
      new RegExp(`^${o.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`).test(pathname),
  );
}

/** Throws when the response is not what the document says `method path` answers. */
export function checkAgainstDocument(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): void {
  const where = `${method} ${path} → ${status}`;
  const spec = operationFor(method, path);
  if (!spec) {
    // Unknown routes answer the generic error shape.
    if (!validatorFor('Error')(body)) throw new Error(`${where}: not an Error body`);
    return;
  }
  const response = spec.responses[status];
  if (!response) {
    throw new Error(
      `${where}: status ${status} is not documented for ${spec.operationId} (${JSON.stringify(body)})`,
    );
  }
  if (response.schema) {
    if (!contentType?.startsWith('application/json')) {
      throw new Error(`${where}: content type ${contentType} is not application/json`);
    }
    const validate = validatorFor(response.schema);
    if (!validate(body)) {
      throw new Error(
        `${where}: the body does not match ${response.schema}: ${ajv.errorsText(validate.errors)}\n` +
          JSON.stringify(body).slice(0, 2000),
      );
    }
  } else if (response.mediaType && !contentType?.startsWith(response.mediaType.type)) {
    throw new Error(`${where}: content type ${contentType} is not ${response.mediaType.type}`);
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
      checkAgainstDocument(method, path, response.status, contentType, parsed);
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
