import { expect } from 'chai';
import { tokensMatch } from '../../../orchestrator/api/bearer-auth.js';
import type { ApiErrorBody } from '../../../orchestrator/api/index.js';
import { apiClient } from '../../support/api-client.js';
import { serveForTests, testApp, unreachableOrchestrator } from './support.js';

describe('API: the HTTP layer (no infrastructure)', () => {
  describe('without a token', () => {
    const served = serveForTests(() => testApp());
    const api = () => apiClient(served.url());

    it('answers unknown routes with a JSON 404 and wrong methods with 405 and Allow', async () => {
      const missing = await api().get<ApiErrorBody>('/nope');
      expect(missing.status).to.equal(404);
      expect(missing.body.error).to.deep.equal({
        code: 'NOT_FOUND',
        message: 'no route GET /nope',
      });
      const wrong = await api().request<ApiErrorBody>('DELETE', '/v1/sagas/abc');
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get('allow')).to.equal('GET');
      expect(wrong.body.error.code).to.equal('METHOD_NOT_ALLOWED');
    });

    it('refuses a malformed JSON body with 400 MALFORMED_JSON', async () => {
      const res = await api().post<ApiErrorBody>('/v1/sagas', undefined, {
        raw: '{"type": "order", "input": {',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('MALFORMED_JSON');
      expect(res.body.error.message).to.match(/^the body is not valid JSON/);
    });

    it('refuses a body over the limit with 413', async () => {
      const res = await api().post<ApiErrorBody>('/v1/sagas', {
        type: 'order',
        input: { pad: 'x'.repeat(300 * 1024) },
      });
      expect(res.status).to.equal(413);
      expect(res.body.error).to.deep.equal({
        code: 'PAYLOAD_TOO_LARGE',
        message: `the body is larger than ${256 * 1024} bytes`,
      });
    });

    it('refuses a body that is not JSON with 415, and a missing body with 400', async () => {
      const text = await api().post<ApiErrorBody>('/v1/sagas', undefined, {
        raw: 'type=order',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(text.status).to.equal(415);
      expect(text.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      const none = await api().post<ApiErrorBody>('/v1/sagas');
      expect(none.status).to.equal(400);
      expect(none.body.error.message).to.contain('needs a JSON body');
    });

    it('says what is wrong with a body, a query and a path parameter', async () => {
      const body = await api().post<ApiErrorBody>('/v1/sagas', { type: 'order', inptu: {} });
      expect(body.status).to.equal(400);
      expect(body.body.error.code).to.equal('VALIDATION_FAILED');
      expect(body.body.error.message).to.equal(
        'body must have property "input"; body has unknown property "inptu"',
      );
      expect(body.body.error.details?.errors).to.have.length(2);

      const query = await api().get<ApiErrorBody>('/v1/sagas?limit=0&colour=red');
      expect(query.status).to.equal(400);
      expect(query.body.error.message).to.equal(
        'unknown query parameter "colour"; query parameter limit must be >= 1',
      );

      const status = await api().get<ApiErrorBody>('/v1/sagas?status=sleeping');
      expect(status.body.error.message).to.equal(
        'query parameter status must be one of running, completed, compensated, failed, parked, cancelled',
      );

      const path = await api().get<ApiErrorBody>('/v1/sagas/bad%20id');
      expect(path.status).to.equal(400);
      expect(path.body.error.message).to.match(/^path parameter id must match pattern/);

      const header = await api().post<ApiErrorBody>(
        '/v1/sagas',
        { type: 'order', input: {} },
        { headers: { 'idempotency-key': 'k'.repeat(201) } },
      );
      expect(header.status).to.equal(400);
      expect(header.body.error.message).to.equal(
        'header Idempotency-Key must NOT have more than 200 characters',
      );
    });

    it('answers 400, never 500, to a path that is not percent-encoding, a body that is not the gzip it claims, and an offset past a Redis index', async () => {
      // Regression: each of these answered 500 (URIError, zlib's Z_DATA_ERROR, Redis ERR).
      const path = await api().get<ApiErrorBody>('/v1/sagas/%FF%FE');
      expect(path.status).to.equal(400);
      expect(path.body.error).to.deep.equal({
        code: 'VALIDATION_FAILED',
        message: 'the path is not valid percent-encoding',
      });

      const gzip = await api().request<ApiErrorBody>('POST', '/v1/sagas', {
        raw: 'this is not gzip',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(gzip.status).to.equal(400);
      expect(gzip.body.error.message).to.equal(
        'the body is not what its Content-Encoding says (it cannot be decompressed)',
      );

      const offset = await api().get<ApiErrorBody>('/v1/sagas/order-1?historyOffset=1e20');
      expect(offset.status).to.equal(400);
      expect(offset.body.error.message).to.equal(
        'query parameter historyOffset must be <= 2147483647',
      );
    });

    it('sets security headers and hides the framework', async () => {
      const res = await api().get('/healthz');
      expect(res.status).to.equal(200);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('content-security-policy')).to.contain("default-src 'self'");
      expect(res.headers.get('strict-transport-security')).to.match(/max-age=/);
      expect(res.headers.get('x-frame-options')).to.equal('SAMEORIGIN');
      expect(res.headers.get('x-powered-by')).to.equal(null);
    });

    it('answers /readyz with 503 and the failing checks when not ready', async () => {
      const res = await api().get<{ status: string; checks: Record<string, boolean> }>('/readyz');
      expect(res.status).to.equal(503);
      expect(res.body.checks).to.include({ kafkaConsumer: false, redis: true });
    });

    it('answers /metrics with 404 when no metrics handler is given', async () => {
      const res = await api().get<ApiErrorBody>('/metrics');
      expect(res.status).to.equal(404);
      expect(res.body.error.message).to.equal('metrics are not enabled in this process');
    });
  });

  describe('with a token and a failing orchestrator', () => {
    const served = serveForTests(() =>
      testApp({
        apiToken: 's3cret',
        orchestrator: {
          ...unreachableOrchestrator,
          getSaga: () => Promise.reject(new Error('secret internal detail at /srv/app.ts:12')),
        },
        metricsHandler: (_req, res) => {
          res.type('text/plain').send('# HELP up 1\nup 1\n');
        },
      }),
    );
    const api = (token?: string) => apiClient(served.url(), token ? { token } : {});

    it('needs the bearer token on /v1, with WWW-Authenticate on refusal', async () => {
      const none = await api().get<ApiErrorBody>('/v1/definitions');
      expect(none.status).to.equal(401);
      expect(none.headers.get('www-authenticate')).to.equal('Bearer realm="saga-orchestrator"');
      expect(none.body.error.code).to.equal('UNAUTHORIZED');
      const wrong = await api('s3cre').get<ApiErrorBody>('/v1/definitions');
      expect(wrong.status).to.equal(401);
      expect(wrong.headers.get('www-authenticate')).to.contain('error="invalid_token"');
      // Express matches paths case-insensitively: so does the token check in front of /v1.
      const upper = await api().get<ApiErrorBody>('/V1/definitions', { unchecked: true });
      expect(upper.status).to.equal(401);
      const right = await api('s3cret').get<{ items: unknown[] }>('/v1/definitions');
      expect(right.status).to.equal(200);
      expect(right.body.items).to.have.length(1);
    });

    it('leaves health, readiness, metrics and the document open', async () => {
      expect((await api().get('/healthz')).status).to.equal(200);
      expect((await api().get('/readyz')).status).to.equal(503);
      const metrics = await api().get('/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.text).to.contain('up 1');
      expect((await api().get('/openapi.json')).status).to.equal(200);
    });

    it('refuses before reading the body: a large body without a token gets 401, not 413', async () => {
      const res = await api().post<ApiErrorBody>('/v1/sagas', { pad: 'x'.repeat(300 * 1024) });
      expect(res.status).to.equal(401);
    });

    it('answers an unexpected failure with a generic 500, never the error or its stack', async () => {
      const res = await api('s3cret').get<ApiErrorBody>('/v1/sagas/some-saga');
      expect(res.status).to.equal(500);
      expect(res.body.error).to.deep.equal({
        code: 'INTERNAL',
        message: 'internal error; the orchestrator log has the details',
      });
      expect(res.text).not.to.contain('secret');
      expect(res.text).not.to.contain('.ts');
    });
  });

  describe('while a Redis Cluster fails over', () => {
    const replyError = (message: string) =>
      Object.assign(new Error(message), { name: 'ReplyError' });
    const failures = [
      replyError('CLUSTERDOWN The cluster is down'),
      replyError('MOVED 2843 127.0.0.1:7003'),
      replyError('TRYAGAIN Multiple keys request during rehashing of slot'),
      Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }),
    ];
    let next = 0;
    const served = serveForTests(() =>
      testApp({
        orchestrator: {
          ...unreachableOrchestrator,
          getSaga: () => Promise.reject(failures[next++ % failures.length]!),
        },
      }),
    );

    it('answers 503 UNAVAILABLE (try again), not 500, to what a node says during a failover', async () => {
      for (const failure of failures) {
        const res = await apiClient(served.url()).get<ApiErrorBody>('/v1/sagas/some-saga');
        expect(res.status, failure.message).to.equal(503);
        expect(res.body.error.code).to.equal('UNAVAILABLE');
      }
    });
  });

  describe('with an operator and a read-only token', () => {
    const served = serveForTests(() => testApp({ apiToken: 'operator-t', readToken: 'reader-t' }));
    const api = (token: string) => apiClient(served.url(), { token });

    it('refuses an action to the read-only token before reading the body: 403, not 413 or 400', async () => {
      const large = await api('reader-t').post<ApiErrorBody>('/v1/sagas', {
        pad: 'x'.repeat(300 * 1024),
      });
      expect(large.status).to.equal(403);
      expect(large.body.error).to.deep.equal({
        code: 'FORBIDDEN',
        message: 'the read-only token may not POST /v1/sagas',
        details: { role: 'read-only' },
      });
      // The role check comes before the validator: an invalid body is still a 403.
      const invalid = await api('reader-t').post<ApiErrorBody>('/v1/sagas/x/events', {});
      expect(invalid.status).to.equal(403);
      // The operator's invalid body reaches the validator (and never the unreachable orchestrator).
      const operator = await api('operator-t').post<ApiErrorBody>('/v1/sagas/x/events', {});
      expect(operator.status).to.equal(400);
      expect((await api('reader-t').get('/v1/definitions')).status).to.equal(200);
    });

    it('refuses to start with a read-only token alone or equal to the operator token', () => {
      expect(() => testApp({ readToken: 'r' })).to.throw(/needs an operator token/);
      expect(() => testApp({ apiToken: 'same', readToken: 'same' })).to.throw(/must differ/);
    });
  });

  it('compares tokens by value only', () => {
    expect(tokensMatch('abc', 'abc')).to.equal(true);
    expect(tokensMatch('abc', 'abd')).to.equal(false);
    expect(tokensMatch('abc', 'abcd')).to.equal(false);
    expect(tokensMatch('', 'a')).to.equal(false);
  });
});
