/**
 * The API tests' client (test/support/api-client.ts) fails a test whose response drifts from the
 * OpenAPI document: an undocumented status, an undocumented content type, a body that breaks its
 * schema, or an unknown route answered with anything but the JSON 404/405. Without these checks
 * the integration tests would pass against an API that no longer matches its document.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  apiClient,
  checkAgainstDocument,
  type ReceivedResponse,
} from '../../support/api-client.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const notFound = JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no saga abc' } });

function received(overrides: Partial<ReceivedResponse>): ReceivedResponse {
  return {
    method: 'GET',
    path: '/healthz',
    status: 200,
    contentType: JSON_TYPE,
    text: JSON.stringify({ status: 'ok' }),
    ...overrides,
  };
}

const check = (overrides: Partial<ReceivedResponse>) => () =>
  checkAgainstDocument(received(overrides));

describe('API test client: responses checked against the OpenAPI document', () => {
  it('accepts documented responses (JSON, text, path parameters, a query)', () => {
    expect(check({})).to.not.throw();
    expect(
      check({
        path: '/readyz',
        status: 503,
        text: JSON.stringify({ status: 'not ready', checks: { redis: false } }),
      }),
    ).to.not.throw();
    expect(
      check({ path: '/metrics', contentType: 'text/plain; version=0.0.4', text: 'up 1\n' }),
    ).to.not.throw();
    expect(check({ path: '/v1/sagas/abc?wait=1', status: 404, text: notFound })).to.not.throw();
  });

  it('fails on a status the operation does not document', () => {
    expect(check({ status: 418 })).to.throw(/status 418 is not documented for health/);
    expect(check({ path: '/v1/sagas/abc', status: 409, text: notFound })).to.throw(
      /status 409 is not documented/,
    );
  });

  it('fails on a content type the response does not document, or a body that is not JSON', () => {
    expect(check({ contentType: 'text/html', text: '<p>ok</p>' })).to.throw(
      /content type text\/html is not documented \(application\/json\)/,
    );
    expect(check({ contentType: null })).to.throw(/content type null is not documented/);
    expect(check({ text: '{"status":' })).to.throw(/the body is not JSON/);
  });

  it('fails on a body field that breaks its schema', () => {
    expect(check({ text: JSON.stringify({ status: 'fine' }) })).to.throw(
      /does not match .*must be equal to constant/,
    );
    expect(
      check({
        path: '/readyz',
        text: JSON.stringify({ status: 'ready', checks: { redis: 'yes' } }),
      }),
    ).to.throw(/must be boolean/);
    expect(
      check({
        path: '/v1/sagas/abc',
        status: 404,
        text: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'x' }, extra: 1 }),
      }),
    ).to.throw(/must NOT have additional properties/);
    expect(check({ path: '/v1/sagas/abc', text: '{}' })).to.throw(/does not match/);
  });

  it('holds routes the document does not name to the JSON 404, and known paths to 405', () => {
    const routeError = (code: string) => JSON.stringify({ error: { code, message: 'no route' } });
    expect(check({ path: '/nope', status: 404, text: routeError('NOT_FOUND') })).to.not.throw();
    expect(check({ path: '/nope', status: 200, text: routeError('NOT_FOUND') })).to.throw(
      /so 404 was due/,
    );
    expect(check({ path: '/nope', status: 404, contentType: 'text/html', text: 'x' })).to.throw(
      /content type text\/html is not application\/json/,
    );
    expect(
      check({
        method: 'DELETE',
        path: '/v1/sagas/abc',
        status: 405,
        text: routeError('METHOD_NOT_ALLOWED'),
      }),
    ).to.not.throw();
    expect(
      check({ method: 'DELETE', path: '/v1/sagas/abc', status: 404, text: routeError('X') }),
    ).to.throw(/so 405 was due/);
  });

  describe('through the client', () => {
    let server: Server;
    let url: string;

    before(async () => {
      // A server that answers a documented route with an undocumented status.
      server = createServer((_req, res) => {
        res.writeHead(418, { 'content-type': JSON_TYPE }).end(JSON.stringify({ status: 'ok' }));
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('rejects the request, so the test that made it fails', async () => {
      const error = await apiClient(url)
        .get('/healthz')
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(
        /GET \/healthz → 418: status 418 is not documented/,
      );
    });
  });
});
