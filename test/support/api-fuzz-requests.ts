/**
 * fast-check arbitraries of HTTP requests to the orchestrator's API, derived from the OpenAPI
 * operation table (`OPERATIONS`): every operation, its path parameters, query parameters, headers
 * and body, each valid or broken in one way. A request broken in exactly one way carries the error
 * it must get (`expected`): the code, and a pattern its message must match, so the property checks
 * that the message names the problem and not only that some 4xx came back. Requests broken in many
 * ways at once (`mutation: 'several'`) carry no expectation: they must only never get a 5xx.
 */
import fc from 'fast-check';
import { OPERATIONS, type ApiErrorCode, type OperationSpec } from '../../orchestrator/api/index.js';
import { isReserved, json, mutations, type Draft, type FuzzContext } from './api-fuzz-mutations.js';
import { anyJson, goodQueryValue, oddSegment, oddString, percentEncode } from './fuzz-values.js';
import type { RawRequest } from './raw-http.js';

export type { FuzzContext } from './api-fuzz-mutations.js';

export interface FuzzRequest extends RawRequest {
  /** The operation the request was made from (or `unknown route`). */
  operation: string;
  /** What was done to a valid request, for the failure message. */
  mutation: string;
  /** The answer the mutation decides, when it decides one. */
  expected?: { codes: readonly ApiErrorCode[]; message: RegExp };
}

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
  if (spec.body?.schema === 'RetryParkedRequest') {
    return fc.record(
      {
        type: fc.oneof(
          fc.constantFrom('order', 'no-such-type'),
          oddString.filter((s) => s.length >= 1 && s.length <= 200),
        ),
        state: oddString.filter((s) => s.length >= 1),
        dryRun: fc.boolean(),
        limit: fc.integer({ min: 1, max: 10_000 }),
      },
      { requiredKeys: ['type'] },
    );
  }
  if (spec.body?.schema === 'MigrationRequest') {
    // The fuzzed orchestrator runs order v1 alone: every migration answers 404, none moves.
    return fc.record(
      {
        from: fc.constantFrom('1', '2'),
        to: fc.oneof(
          fc.constantFrom('1', '2'),
          oddString.filter((s) => s.length >= 1 && s.length <= 100),
        ),
        state: oddString.filter((s) => s.length >= 1),
        dryRun: fc.boolean(),
        limit: fc.integer({ min: 1, max: 10_000 }),
      },
      { requiredKeys: ['from', 'to'] },
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
