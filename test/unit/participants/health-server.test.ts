/**
 * The participant process's health server on its own: the three routes, the readiness it is
 * given, /readyz 503 once stopping while /healthz stays 200, any method and path (fuzzed) answered
 * without a 5xx, and a port that is free again after close.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  startHealthServer,
  type HealthServer,
  type ParticipantReadiness,
} from '../../../participants/health-server.js';
import { sendRaw } from '../../support/raw-http.js';

async function get(port: number, path: string, method = 'GET') {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return {
    status: response.status,
    body: await response.text(),
    allow: response.headers.get('allow'),
  };
}

describe('participant health server', () => {
  let server: HealthServer | undefined;
  let readiness: ParticipantReadiness;

  beforeEach(async () => {
    readiness = { ready: false, reason: 'starting' };
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metricsHandler: (_request, response) => {
        response.setHeader('content-type', 'text/plain');
        response.end('saga_participant_handler_duration_count 1\n');
      },
      readiness: () => readiness,
    });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics through the handler it is given', async () => {
    const metrics = await get(server!.port, '/metrics');
    expect(metrics).to.deep.include({
      status: 200,
      body: 'saga_participant_handler_duration_count 1\n',
    });
  });

  it('answers /readyz with the current readiness: 503 with the reason, then 200', async () => {
    const before = await get(server!.port, '/readyz');
    expect(before.status).to.equal(503);
    expect(JSON.parse(before.body)).to.deep.equal({ ready: false, reason: 'starting' });
    readiness = { ready: true, groupId: 'g' };
    const after = await get(server!.port, '/readyz?verbose=1');
    expect(after.status).to.equal(200);
    expect(JSON.parse(after.body)).to.deep.equal({ ready: true, groupId: 'g' });
  });

  it('answers /readyz 503 once stopping, while /healthz stays 200 so liveness lets it stop', async () => {
    readiness = { ready: true };
    expect((await get(server!.port, '/healthz')).status).to.equal(200);
    server!.markStopping();
    const healthz = await get(server!.port, '/healthz');
    expect(healthz.status).to.equal(200);
    expect(JSON.parse(healthz.body)).to.deep.equal({ status: 'stopping' });
    const readyz = await get(server!.port, '/readyz');
    expect(readyz.status).to.equal(503);
    expect(JSON.parse(readyz.body)).to.deep.equal({ ready: false, reason: 'shutting down' });
  });

  it('answers 404 for another path and 405 for another method', async () => {
    expect((await get(server!.port, '/')).status).to.equal(404);
    expect((await get(server!.port, '/metrics/extra')).status).to.equal(404);
    const post = await get(server!.port, '/healthz', 'POST');
    expect(post).to.deep.include({ status: 405, allow: 'GET, HEAD' });
  });

  it('answers any method and path with 200, 404, 405 or a parser 400, never a 5xx, and stays up (fuzzed)', async () => {
    readiness = { ready: true };
    const { port } = server!;
    const segment = fc.oneof(
      fc.constantFrom(
        'healthz',
        'readyz',
        'metrics',
        'HEALTHZ',
        '',
        '.',
        '..',
        '%',
        '%FF%FE',
        '%00',
      ),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'FOO'),
      path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`),
      query: fc.option(fc.constantFrom('?', '?a=%FF', '?x=1&x=2', '?__proto__=1'), { nil: '' }),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, query }) => {
        const response = await sendRaw(`http://127.0.0.1:${port}`, {
          method,
          path: `${path}${query}`,
          headers: {},
        });
        const known = ['/healthz', '/readyz', '/metrics'].includes(path);
        const allowed =
          method === 'FOO'
            ? [400]
            : !known
              ? [404]
              : ['GET', 'HEAD'].includes(method)
                ? [200]
                : [405];
        expect(
          allowed,
          `${method} ${path}${query}: ${response.status} ${response.text}`,
        ).to.include(response.status);
      }),
      { seed: 4_242, numRuns: 300 },
    );
    expect((await get(port, '/healthz')).status).to.equal(200);
  });

  it('frees its port on close', async () => {
    const { port } = server!;
    await server!.close();
    server = undefined;
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('rejects when the port is taken', async () => {
    const error = await startHealthServer({
      port: server!.port,
      host: '127.0.0.1',
      metricsHandler: () => undefined,
      readiness: () => readiness,
    }).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect((error as NodeJS.ErrnoException | undefined)?.code).to.equal('EADDRINUSE');
  });
});
