/**
 * fast-check arbitraries of HTTP requests to the orchestrator's API, derived from the OpenAPI
 * operation table (`OPERATIONS`): every operation, its path parameters, query parameters, headers
 * and body, each valid or broken in one way. A request broken in exactly one way carries the error
 * it must get (`expected`): the code, and a pattern its message must match, so the property checks
 * that the message names the problem and not only that some 4xx came back. Requests broken in many
 * ways at once (`mutation: 'several'`) carry no expectation: they must only never get a 5xx.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { OPERATIONS, type ApiErrorCode, type OperationSpec } from '../../orchestrator/api/index.js';
import { COMPONENT_SCHEMAS } from '../../orchestrator/api/openapi/components.js';
import type { ParameterSpec } from '../../orchestrator/api/openapi/operations.js';
import type { RawRequest } from './raw-http.js';

export interface FuzzRequest extends RawRequest {
  /** The operation the request was made from (or `unknown route`). */
  operation: string;
  /** What was done to a valid request, for the failure message. */
  mutation: string;
  /** The answer the mutation decides, when it decides one. */
  expected?: { codes: readonly ApiErrorCode[]; message: RegExp };
}

export interface FuzzContext {
  /** The API token the server runs with. */
  token: string;
  /** A saga that exists (running, so `/result` waits: requests to it bound `timeoutMs`). */
  knownSagaId: string;
  /** The body size limit, in bytes. */
  bodyLimitBytes: number;
}

/**
 * Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as on any wire),
 * leaving letters, digits and `-._~` as they are. `encodeURIComponent` throws on lone surrogates.
 */
const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Strings a fuzzer should try anywhere a string goes. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uFFFF',
    '\u202E',
    '💥',
    'e\u0301',
    '__proto__',
    'constructor',
    'toString',
    '../../etc/passwd',
    '%',
    '%FF',
    'x'.repeat(10_000),
  ),
);

/** Percent-encodings that do not decode, or decode to something odd. */
const percentJunk = fc.constantFrom(
  '%',
  '%F',
  '%zz',
  '%FF%FE',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  '%00',
  '%2F',
  '%2e%2e',
  '%25',
  '%u0041',
  '%%41',
);

/** A path segment: odd unicode percent-encoded, raw junk, or Latin-1 bytes sent as they are. */
const oddSegment = fc.oneof(
  oddString.filter((s) => s !== '').map((s) => percentEncode(s)),
  fc
    .array(fc.oneof(percentJunk, fc.stringMatching(/^[A-Za-z0-9._:-]{1,5}$/)), {
      minLength: 1,
      maxLength: 4,
    })
    .map((parts) => parts.join('')),
  fc
    .string({ unit: fc.integer({ min: 0xa1, max: 0xff }).map((c) => String.fromCharCode(c)) })
    .filter((s) => s !== ''),
  fc.constantFrom('a'.repeat(201), 'a'.repeat(20_000), '.', '..', 'a;b', 'a,b', '*'),
);

/** Query values for a parameter of this schema that the document does not allow. */
function badQueryValue(schema: Record<string, unknown>): fc.Arbitrary<string> | undefined {
  if (schema.type === 'integer') {
    return fc.constantFrom(
      'abc',
      '',
      '1.5',
      '-1',
      '1e20',
      '9'.repeat(400),
      'NaN',
      'Infinity',
      '-0x10',
      `${Number(schema.maximum ?? 0) + 1}`,
      '%FF',
      'true',
      '[]',
    );
  }
  if (Array.isArray(schema.enum)) {
    return oddString.filter((s) => !(schema.enum as unknown[]).includes(s)).map(percentEncode);
  }
  // A free string: only the empty one is refused, where there is a minimum length.
  return 'minLength' in schema ? fc.constant('') : undefined;
}

/** Query values the document allows (bounded so a long poll stays short). */
function goodQueryValue(parameter: ParameterSpec): fc.Arbitrary<string> {
  const schema = parameter.schema as Record<string, unknown>;
  if (parameter.name === 'timeoutMs') return fc.integer({ min: 0, max: 20 }).map(String);
  if (schema.type === 'integer') {
    return fc
      .integer({ min: Number(schema.minimum ?? 0), max: Number(schema.maximum ?? 1000) })
      .map(String);
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  if (parameter.name === 'cursor') return oddString.filter((s) => s !== '').map(percentEncode);
  return oddString.map(percentEncode);
}

/** A JSON value of any shape, odd strings and numbers included. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** The engine's own event types, which a signal may not use. */
const isReserved = (type: string) => /^(step|compensation|xstate|saga)\./.test(type);

/** A valid body of the operation (the order saga's start, an approve signal). */
function validBody(spec: OperationSpec): fc.Arbitrary<Record<string, unknown>> {
  if (spec.body?.schema === 'StartSagaRequest') {
    return fc.record(
      {
        type: fc.constantFrom('order', 'no-such-type'),
        input: fc.oneof(
          fc.constant({
            orderId: 'ord-fuzz',
            customerId: 'cus-fuzz',
            items: [{ sku: 'SKU-1', quantity: 1 }],
            amount: 100,
            currency: 'EUR',
          }),
          fc.dictionary(oddString, anyJson, { maxKeys: 4 }),
        ),
        id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
      },
      { requiredKeys: ['type', 'input'] },
    );
  }
  return fc.record({
    type: fc.oneof(
      fc.constantFrom('order.approve', 'order.reject'),
      oddString.filter((s) => s.length >= 1 && s.length <= 200 && !isReserved(s)),
    ),
    approvedBy: oddString,
  });
}

/** JSON nested `depth` levels deep, as text (never built as an object: it may be very deep). */
const nested = (depth: number) =>
  `{"type":"order","input":${'['.repeat(depth)}${']'.repeat(depth)}}`;

interface Draft {
  method: string;
  path: string;
  query: string[];
  headers: Record<string, string>;
  body?: Buffer;
}

type Mutation = (draft: Draft) => {
  name: string;
  codes?: readonly ApiErrorCode[];
  message?: RegExp;
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

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
function mutations(spec: OperationSpec, context: FuzzContext): fc.Arbitrary<Mutation>[] {
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
      additionalProperties?: boolean;
    };
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
        delete body.type;
        draft.body = json(body);
        return { name: 'body without type', ...validation(/body must have property "type"/) };
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
  const methods = new Set(
    OPERATIONS.filter((o) => o.path === spec.path).map((o) => o.method.toUpperCase()),
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

/** A valid request of one operation, as a draft to break. */
function validDraft(spec: OperationSpec, context: FuzzContext): fc.Arbitrary<Draft> {
  const pathParameter = spec.parameters?.find((p) => p.in === 'path');
  const queryParameters = spec.parameters?.filter((p) => p.in === 'query') ?? [];
  const id =
    pathParameter?.name === 'type'
      ? fc.constantFrom('order')
      : fc.oneof(fc.constant(context.knownSagaId), fc.stringMatching(/^[A-Za-z0-9._:-]{1,200}$/));
  const query = fc.tuple(
    ...queryParameters.map((parameter): fc.Arbitrary<string[]> =>
      // /result with the default timeoutMs would wait 30 s: the fuzzer always bounds it.
      (parameter.name === 'timeoutMs' ? fc.constant(true) : fc.boolean()).chain((present) =>
        present
          ? goodQueryValue(parameter).map((value) => [`${parameter.name}=${value}`])
          : fc.constant<string[]>([]),
      ),
    ),
  );
  const body = spec.body ? validBody(spec).map(json) : fc.constant(undefined);
  const idempotencyKey = spec.parameters?.some((p) => p.name === 'Idempotency-Key')
    ? // Node trims a header's surrounding spaces: the key starts and ends with a visible one.
      fc.option(fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/), {
        nil: undefined,
      })
    : fc.constant(undefined);
  return fc
    .record({ id, query, body, idempotencyKey })
    .map(({ id: value, query: parts, body: bytes, idempotencyKey: key }) => ({
      method: spec.method.toUpperCase(),
      path: pathParameter
        ? spec.path.replace(`:${pathParameter.name}`, percentEncode(value))
        : spec.path,
      query: parts.flat(),
      headers: {
        authorization: `Bearer ${context.token}`,
        ...(bytes ? { 'content-type': 'application/json' } : {}),
        ...(key !== undefined ? { 'idempotency-key': key } : {}),
      },
      ...(bytes ? { body: bytes } : {}),
    }));
}

function finish(
  spec: OperationSpec | undefined,
  draft: Draft,
  mutation: string,
  expected?: FuzzRequest['expected'],
): FuzzRequest {
  return {
    operation: spec?.operationId ?? 'unknown route',
    method: draft.method,
    path: draft.query.length > 0 ? `${draft.path}?${draft.query.join('&')}` : draft.path,
    headers: draft.headers,
    ...(draft.body ? { body: draft.body } : {}),
    mutation,
    ...(expected ? { expected } : {}),
  };
}

/** One operation's requests: valid, broken once (with the answer due), or broken many times. */
function operationRequests(spec: OperationSpec, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const each = mutations(spec, context);
  const once = fc.tuple(validDraft(spec, context), fc.oneof(...each)).map(([draft, mutate]) => {
    const { name, codes, message } = mutate(draft);
    return finish(spec, draft, name, codes && message ? { codes, message } : undefined);
  });
  const several = fc
    .tuple(validDraft(spec, context), fc.array(fc.oneof(...each), { minLength: 2, maxLength: 4 }))
    .map(([draft, mutate]) => {
      const names = mutate.map((m) => m(draft).name);
      return finish(spec, draft, `several: ${names.join(' + ')}`);
    });
  const valid = validDraft(spec, context).map((draft) => finish(spec, draft, 'none'));
  return fc.oneof(
    { arbitrary: once, weight: 6 },
    { arbitrary: several, weight: 2 },
    { arbitrary: valid, weight: 1 },
  );
}

/** Paths no operation has. */
function unknownRoutes(context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(
      fc.oneof(
        fc
          .array(oddSegment, { minLength: 1, maxLength: 4 })
          .map((segments) => `/${segments.join('/')}`),
        fc.constantFrom(
          '/',
          '/v1',
          '/v2/sagas',
          '/v1/sagas/a/b/c',
          '/healthz/x',
          '/openapi.json/x',
          '/v1/definitions/order/x',
          '/.env',
          '/v1/sagas/x/events/y',
        ),
      ),
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    )
    .filter(([path]) => {
      const known = OPERATIONS.map(
        (o) => new RegExp(`^${o.path.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`, 'i'),
      );
      return !known.some((pattern) => pattern.test(path));
    })
    .map(([path, method]) =>
      finish(
        undefined,
        { method, path, query: [], headers: { authorization: `Bearer ${context.token}` } },
        `unknown route ${method} ${path.slice(0, 60)}`,
        /[^\x21-\x7e]/.test(path)
          ? { codes: ['MALFORMED_REQUEST'], message: /invalid char in url path/ }
          : path.length > 16_000
            ? { codes: ['HEADERS_TOO_LARGE'], message: /larger than the server accepts/ }
            : { codes: ['NOT_FOUND'], message: new RegExp(`^no route ${method} /`) },
      ),
    );
}

/** Every operation of the document, and unknown routes, broken in every way above. */
export function apiRequests(context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...OPERATIONS.map((spec) => operationRequests(spec, context)),
    unknownRoutes(context),
  );
}
