/**
 * Regressions of what the API fuzzer (test/integration/api/fuzz.test.ts) found, each with the
 * exact input it found: the orchestrator behind the app must not be reached by any of them.
 */
import { Agent } from 'node:http';
import { brotliCompressSync } from 'node:zlib';
import { expect } from 'chai';
import type { ApiErrorBody } from '../../../orchestrator/api/index.js';
import { apiClient } from '../../support/api-client.js';
import { sendRaw } from '../../support/raw-http.js';
import { serveForTests, testApp } from './support.js';

const errorOf = (text: string) => (JSON.parse(text) as ApiErrorBody).error;

describe('API: inputs the fuzzer found (no infrastructure)', () => {
  const served = serveForTests(() => testApp());
  const api = () => apiClient(served.url());

  it('refuses a query number that ajv coerces to Infinity (historyOffset=Infinity was a 500: Redis ERR)', async () => {
    for (const value of ['Infinity', '-Infinity', '1e400', '9'.repeat(400)]) {
      const offset = await api().get<ApiErrorBody>(`/v1/sagas/order-1?historyOffset=${value}`);
      expect(offset.status, value).to.equal(400);
      expect(offset.body.error).to.deep.include({
        code: 'VALIDATION_FAILED',
        message: 'query parameter historyOffset must be a finite integer',
      });
    }
    const timeout = await api().get<ApiErrorBody>('/v1/sagas/order-1/result?timeoutMs=Infinity');
    expect(timeout.status).to.equal(400);
    expect(timeout.body.error.message).to.equal(
      'query parameter timeoutMs must be a finite integer',
    );
    const limit = await api().get<ApiErrorBody>('/v1/sagas?limit=1e999');
    expect(limit.body.error.message).to.equal('query parameter limit must be a finite integer');
  });

  it('answers what the HTTP parser refuses with the JSON error, not a bare 400 or 431', async () => {
    // Regression: Node's default answer had no body (and none at all on a reused connection).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(
        (await sendRaw(served.url(), { method: 'GET', path: '/healthz', headers: {} }, { agent }))
          .status,
      ).to.equal(200);
      const method = await sendRaw(
        served.url(),
        { method: 'FOO', path: '/healthz', headers: {} },
        { agent },
      );
      expect(method.status).to.equal(400);
      expect(method.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(errorOf(method.text)).to.deep.equal({
        code: 'MALFORMED_REQUEST',
        message: 'the request method is not one HTTP knows (use GET or POST)',
      });
    } finally {
      agent.destroy();
    }

    const latin1 = await sendRaw(served.url(), {
      method: 'GET',
      path: '/v1/sagas/\u00bd\u00aa',
      headers: {},
    });
    expect(latin1.status).to.equal(400);
    expect(errorOf(latin1.text)).to.deep.equal({
      code: 'MALFORMED_REQUEST',
      message: 'the request is not valid HTTP/1.1 (invalid char in url path)',
    });

    const long = await sendRaw(served.url(), {
      method: 'GET',
      path: `/${'a'.repeat(20_000)}`,
      headers: {},
    });
    expect(long.status).to.equal(431);
    expect(errorOf(long.text)).to.deep.equal({
      code: 'HEADERS_TOO_LARGE',
      message: 'the request line and headers are larger than the server accepts (16 kB)',
    });

    // A HEAD gets the status and headers only, as HTTP wants (the client would fail on a body).
    const head = await sendRaw(served.url(), {
      method: 'HEAD',
      path: '/v1/sagas/\u00bd',
      headers: {},
    });
    expect(head.status).to.equal(400);
    expect(head.text).to.equal('');
  });

  it('names the Content-Encoding or charset it does not support, and a br body that is not brotli', async () => {
    const body = '{"type":"order","input":{}}';
    const encoding = await api().request<ApiErrorBody>('POST', '/v1/sagas', {
      raw: body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
    });
    expect(encoding.status).to.equal(415);
    expect(encoding.body.error.message).to.equal(
      'the Content-Encoding "x-unknown" is not supported; send the body as it is, or in gzip, deflate or br',
    );
    const charset = await api().request<ApiErrorBody>('POST', '/v1/sagas', {
      raw: body,
      headers: { 'content-type': 'application/json; charset=koi8-r' },
    });
    expect(charset.status).to.equal(415);
    expect(charset.body.error.message).to.equal(
      'the charset "koi8-r" is not supported; the body must be UTF-8 JSON',
    );
    // Regression: brotli's errors (ERR__ERROR_FORMAT_*) got "the request could not be read".
    const brotli = await api().request<ApiErrorBody>('POST', '/v1/sagas', {
      raw: '{"type":"order"',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
    });
    expect(brotli.status).to.equal(400);
    expect(brotli.body.error.message).to.equal(
      'the body is not what its Content-Encoding says (it cannot be decompressed)',
    );
    // Real brotli is read.
    const real = await sendRaw(served.url(), {
      method: 'POST',
      path: '/v1/sagas',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
      body: brotliCompressSync(Buffer.from('{"type":"order"}')),
    });
    expect(errorOf(real.text).message).to.equal('body must have property "input"');
  });

  it('reads a body only where the operation takes one: a GET with a stray body is answered as without', async () => {
    // Regression: the body was parsed before routing, so GET /healthz with `{` got a 400 that
    // its operation does not document (and a POST to /healthz a 400, not the 405 due).
    const stray = await sendRaw(served.url(), {
      method: 'GET',
      path: '/healthz',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{'),
    });
    expect(stray.status).to.equal(200);
    const post = await api().request<ApiErrorBody>('POST', '/healthz', {
      raw: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).to.equal(405);
    expect(post.body.error.code).to.equal('METHOD_NOT_ALLOWED');
  });

  it('documents the 400 of an unknown query parameter on every operation', async () => {
    // Regression: /healthz, /readyz, /metrics, the documents and the definitions answered a 400
    // their operations did not document (the client checks every answer against the document).
    for (const path of [
      '/healthz?x=1',
      '/readyz?x=1',
      '/metrics?x=1',
      '/openapi.json?x=1',
      '/asyncapi.json?x=1',
      '/v1/definitions?x=1',
      '/v1/definitions/order?x=1',
    ]) {
      const res = await api().get<ApiErrorBody>(path);
      expect(res.status, path).to.equal(400);
      expect(res.body.error.message, path).to.equal('unknown query parameter "x"');
    }
  });
});
