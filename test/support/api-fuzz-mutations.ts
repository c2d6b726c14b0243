/**
 * The ways the API fuzzer breaks a valid request of one operation, derived from its OpenAPI entry
 * (auth, path parameters, query parameters, body schema, methods), each with the answer it must get
 * when it is the only thing wrong: the error code and a pattern the message must match.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { OPERATIONS, type ApiErrorCode, type OperationSpec } from '../../orchestrator/api/index.js';
import { COMPONENT_SCHEMAS } from '../../orchestrator/api/openapi/components.js';
import { anyJson, badQueryValue, oddSegment, oddString } from './fuzz-values.js';

export interface FuzzContext {
  /** The API token the server runs with. */
  token: string;
  /** A saga that exists (running, so `/result` waits: requests to it bound `timeoutMs`). */
  knownSagaId: string;
  /** The body size limit, in bytes. */
  bodyLimitBytes: number;
}

/** The engine's own event types, which a signal may not use. */
export const isReserved = (type: string) => /^(step|compensation|xstate|saga)\./.test(type);

/** JSON nested `depth` levels deep, as text (never built as an object: it may be very deep). */
const nested = (depth: number) =>
  `{"type":"order","input":${'['.repeat(depth)}${']'.repeat(depth)}}`;

export interface Draft {
  method: string;
  path: string;
  query: string[];
  headers: Record<string, string>;
  body?: Buffer;
}

export type Mutation = (draft: Draft) => {
  name: string;
  codes?: readonly ApiErrorCode[];
  message?: RegExp;
};

export const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/**
 * The draft's body as an object to edit; `{}` when an earlier mutation made it something else
 * (not JSON, not an object, or too deep to copy).
 */
function bodyObject(draft: Draft): Record<string, unknown> {
  try {
    const value = JSON.parse(draft.body?.toString('utf8') ?? '{}') as unknown;
    JSON.stringify(value);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** The ways of breaking one request, each with the answer it must get. */
export function mutations(spec: OperationSpec, context: FuzzContext): fc.Arbitrary<Mutation>[] {
  const validation = (message: RegExp): Omit<ReturnType<Mutation>, 'name'> => ({
    codes: ['VALIDATION_FAILED'],
    message,
  });
  const list: fc.Arbitrary<Mutation>[] = [];
  const pathParameter = spec.parameters?.find((p) => p.in === 'path');
  const queryParameters = spec.parameters?.filter((p) => p.in === 'query') ?? [];

  if (spec.authenticated) {
    list.push(
      fc
        .constantFrom(
          undefined,
          '',
          'Bearer',
          'Bearer ',
          `Basic ${Buffer.from('a:b').toString('base64')}`,
          'Bearer not-the-token',
          `Bearer ${context.token}x`,
          `Bearer ${context.token} extra`,
          `Token ${context.token}`,
          `Bearer ${'t'.repeat(8_000)}`,
          `Bearer ${Buffer.from('\u00e9', 'latin1').toString('latin1')}`,
        )
        .map((authorization) => (draft: Draft) => {
          if (authorization === undefined) delete draft.headers.authorization;
          else draft.headers.authorization = authorization;
          return {
            name: `authorization ${JSON.stringify(authorization)?.slice(0, 40)}`,
            codes: ['UNAUTHORIZED'],
            message: /Authorization: Bearer|bearer token is not valid/,
          };
        }),
    );
  }

  if (pathParameter) {
    const template = spec.path;
    list.push(
      oddSegment.map((segment) => (draft: Draft) => {
        draft.path = template.replace(`:${pathParameter.name}`, segment);
        const decoded = (() => {
          try {
            return decodeURIComponent(segment);
          } catch {
            return undefined;
          }
        })();
        const name = `path ${pathParameter.name} = ${segment.slice(0, 40)}`;
        // Node's parser refuses bytes outside ASCII in the request target, and a request line
        // past its header limit, before anything else.
        if (/[^\x21-\x7e]/.test(draft.path)) {
          return { name, codes: ['MALFORMED_REQUEST'], message: /invalid char in url path/ };
        }
        if (draft.path.length > 16_000) {
          return { name, codes: ['HEADERS_TOO_LARGE'], message: /larger than the server accepts/ };
        }
        if (decoded === undefined) {
          return { name, ...validation(/the path is not valid percent-encoding/) };
        }

        const pattern = pathParameter.schema.pattern as string | undefined;
        const maxLength = pathParameter.schema.maxLength as number | undefined;
        const valid =
          (pattern === undefined || new RegExp(pattern, 'u').test(decoded)) &&
          (maxLength === undefined || [...decoded].length <= maxLength);
        if (!valid)
          return { name, ...validation(new RegExp(`path parameter ${pathParameter.name}`)) };
        return pathParameter.name === 'type'
          ? { name, codes: ['DEFINITION_NOT_FOUND'], message: /definition|type/i }
          : { name, codes: ['SAGA_NOT_FOUND'], message: /no saga with id/ };
      }),
    );
  }

  for (const parameter of queryParameters) {
    const bad = badQueryValue(parameter.schema);
    // A free string without a minimum length has no value the document refuses.
    if (!bad) continue;
    list.push(
      bad.map((value) => (draft: Draft) => {
        draft.query = draft.query.filter((q) => !q.startsWith(`${parameter.name}=`));
        draft.query.push(`${parameter.name}=${value}`);
        return {
          name: `query ${parameter.name}=${value.slice(0, 40)}`,
          ...validation(new RegExp(`query parameter ${parameter.name}`)),
        };
      }),
    );
  }
  // An unknown parameter, and a known one given twice (an array, not a value).
  list.push(
    fc
      .constantFrom('colour', '__proto__', 'constructor', 'a[b]', '%FF', 'hasOwnProperty')
      .map((name) => (draft: Draft) => {
        draft.query.push(`${name}=1`);
        return { name: `query ${name}=1`, ...validation(/unknown query parameter/) };
      }),
  );
  const repeatable = queryParameters.find((p) => p.name !== 'timeoutMs');
  if (repeatable) {
    list.push(
      fc.constant((draft: Draft) => {
        draft.query.push(`${repeatable.name}=1`, `${repeatable.name}=2`);
        return {
          name: `query ${repeatable.name} twice`,
          ...validation(new RegExp(`query parameter ${repeatable.name}`)),
        };
      }),
    );
  }

  if (spec.body) {
    const bodySchema = COMPONENT_SCHEMAS[spec.body.schema] as {
      properties: Record<string, unknown>;
      required?: string[];
      additionalProperties?: boolean;
    };
    // Most bodies require `type`; a migration's requires `from` and `to`.
    const [required = 'type'] = bodySchema.required ?? [];
    if (bodySchema.additionalProperties === false) {
      list.push(
        oddString.map((key) => (draft: Draft) => {
          const body = bodyObject(draft);
          if (key in bodySchema.properties) return { name: `body.${key} kept` };
          body[key] = 1;
          draft.body = json(body);
          return { name: `body.${key} unknown`, ...validation(/body has unknown property/) };
        }),
      );
    } else {
      list.push(
        fc
          .constantFrom('step.reserve.ok', 'compensation.x', 'xstate.init', 'saga.cancel')
          .map((type) => (draft: Draft) => {
            draft.body = json({ ...bodyObject(draft), type });
            return {
              name: `signal ${type}`,
              codes: ['RESERVED_EVENT'],
              message: new RegExp(`event type ${type.replace('.', '\\.')} is reserved`),
            };
          }),
      );
    }
    const bodyMutations: fc.Arbitrary<Mutation>[] = [
      // Not JSON, or JSON of the wrong shape at the top.
      fc
        .constantFrom(
          '{',
          '{"type": "order",',
          'nul',
          "{'a':1}",
          '{"a":1}}',
          '\uFEFF{',
          '[1,2',
          '"\\u12"',
        )
        .map((text) => (draft: Draft) => {
          draft.body = Buffer.from(text, 'utf8');
          return { name: `body ${text}`, codes: ['MALFORMED_JSON'], message: /not valid JSON/ };
        }),
      fc
        .oneof(anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)))
        .map((value) => (draft: Draft) => {
          draft.body = json(value);
          return {
            name: `body ${JSON.stringify(value).slice(0, 40)}`,
            codes: ['MALFORMED_JSON', 'VALIDATION_FAILED'],
            message: /not valid JSON|body must be object/,
          };
        }),
      // A property of the wrong type, a missing required one, an unknown one.
      fc
        .tuple(fc.constantFrom(...Object.keys(bodySchema.properties)), anyJson)
        .filter(
          ([, v]) =>
            typeof v !== 'string' && (v === null || typeof v !== 'object' || Array.isArray(v)),
        )
        .map(([key, value]) => (draft: Draft) => {
          const body = bodyObject(draft);
          body[key] = value;
          draft.body = json(body);
          return {
            name: `body.${key} = ${JSON.stringify(value).slice(0, 40)}`,
            ...validation(/^body/),
          };
        }),
      fc.constant((draft: Draft) => {
        const body = bodyObject(draft);
        delete body[required];
        draft.body = json(body);
        return {
          name: `body without ${required}`,
          ...validation(new RegExp(`body must have property "${required}"`)),
        };
      }),
      fc.constant((draft: Draft) => {
        draft.body = Buffer.from(nested(10_000), 'utf8');
        return { name: 'body 10,000 levels deep', ...validation(/nested deeper than the limit/) };
      }),
      fc.constant((draft: Draft) => {
        draft.body = json({ type: 'order', input: { pad: 'x'.repeat(context.bodyLimitBytes) } });
        return {
          name: 'body over the limit',
          codes: ['PAYLOAD_TOO_LARGE'],
          message: /larger than/,
        };
      }),
      // Content types and encodings.
      fc
        .constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'image/png',
          '*/*',
          'application/jsonx',
        )
        .map((type) => (draft: Draft) => {
          draft.headers['content-type'] = type;
          return {
            name: `content-type ${type}`,
            codes: ['UNSUPPORTED_MEDIA_TYPE'],
            message: /must be application\/json/,
          };
        }),
      fc.constantFrom('latin1', 'x-unknown', 'koi8-r').map((charset) => (draft: Draft) => {
        draft.headers['content-type'] = `application/json; charset=${charset}`;
        return {
          name: `charset ${charset}`,
          codes: ['UNSUPPORTED_MEDIA_TYPE'],
          message: new RegExp(`charset "${charset}"`),
        };
      }),
      fc
        .constantFrom('x-unknown', 'compress', 'gzip, x-unknown', 'zstd')
        .map((encoding) => (draft: Draft) => {
          draft.headers['content-encoding'] = encoding;
          return {
            name: `content-encoding ${encoding}`,
            codes: ['UNSUPPORTED_MEDIA_TYPE'],
            message: /Content-Encoding/,
          };
        }),
      fc.constantFrom('gzip', 'deflate', 'br').map((encoding) => (draft: Draft) => {
        // Claims an encoding the body is not in.
        draft.headers['content-encoding'] = encoding;
        draft.body = Buffer.from('{"type":"order"', 'utf8');
        return {
          name: `content-encoding ${encoding} on plain text`,
          ...validation(/Content-Encoding says/),
        };
      }),
      fc.constant((draft: Draft) => {
        // Valid gzip of text that is not JSON: decoded, then refused as JSON.
        draft.headers['content-encoding'] = 'gzip';
        draft.body = gzipSync(Buffer.from('{"type":', 'utf8'));
        return {
          name: 'gzip of malformed JSON',
          codes: ['MALFORMED_JSON'],
          message: /not valid JSON/,
        };
      }),
      fc.constant((draft: Draft) => {
        // A gzip bomb: small on the wire, over the limit once inflated.
        draft.headers['content-encoding'] = 'deflate';
        draft.body = deflateSync(
          json({ type: 'order', input: { pad: ' '.repeat(4 * context.bodyLimitBytes) } }),
        );
        return { name: 'deflate bomb', codes: ['PAYLOAD_TOO_LARGE'], message: /larger than/ };
      }),
    ];
    list.push(...bodyMutations);
  } else {
    // A JSON body where none is expected is read (and so must be JSON), then ignored.
    list.push(
      fc.constant((draft: Draft) => {
        // Not read: the route answers as it would without it.
        draft.headers['content-type'] = 'application/json';
        draft.body = Buffer.from('{', 'utf8');
        return { name: 'malformed JSON body on a route without one' };
      }),
    );
  }

  // A method the path does not have.
  // A literal path may also match a templated one (`/v1/sagas/retry-parked` is `/v1/sagas/:id`
  // too, for GET): it allows the methods of both.
  const matchesSpecPath = (path: string) =>
    path === spec.path ||
    (!spec.path.includes(':') &&
      new RegExp(`^${path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`).test(spec.path));
  const methods = new Set(
    OPERATIONS.filter((o) => matchesSpecPath(o.path)).map((o) => o.method.toUpperCase()),
  );
  list.push(
    fc
      .constantFrom('PUT', 'DELETE', 'PATCH', 'POST', 'GET', 'TRACE', 'PROPFIND', 'PURGE', 'LINK')
      .filter((method) => !methods.has(method))
      .map((method) => (draft: Draft) => {
        draft.method = method;
        return {
          name: `method ${method}`,
          codes: ['METHOD_NOT_ALLOWED'],
          message: new RegExp(
            `${method} is not allowed here; use ${[...methods].sort().join(', ')}`,
          ),
        };
      }),
  );
  // A method no HTTP parser knows.
  list.push(
    fc.constantFrom('FOO', 'BREW', 'GETT', 'X-CUSTOM').map((method) => (draft: Draft) => {
      draft.method = method;
      return { name: `method ${method}`, codes: ['MALFORMED_REQUEST'], message: /method/i };
    }),
  );
  // Methods every path answers in its own way (HEAD as GET, OPTIONS with Allow): never a 5xx.
  list.push(
    fc.constantFrom('HEAD', 'OPTIONS').map((method) => (draft: Draft) => {
      draft.method = method;
      return { name: `method ${method}` };
    }),
  );
  return list;
}
