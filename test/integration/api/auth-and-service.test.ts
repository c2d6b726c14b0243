import { expect } from 'chai';
import {
  OPERATIONS,
  type ApiErrorBody,
  type OpenApiDocument,
  type SagaView,
} from '../../../orchestrator/api/index.js';
import { apiClient } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

const TOKEN = 'integration-token-5f1c';

describe('HTTP API: bearer token, health, readiness, metrics, document (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-auth', {
    api: {
      apiToken: TOKEN,
      metricsHandler: (_req, res) => {
        res.type('text/plain; version=0.0.4').send('# TYPE saga_up gauge\nsaga_up 1\n');
      },
    },
  });
  const api = (token?: string) => apiClient(sut.system.apiUrl, token ? { token } : {});

  it('401 without the token on every /v1 route, with WWW-Authenticate', async () => {
    const v1 = OPERATIONS.filter((o) => o.path.startsWith('/v1/'));
    expect(v1.length).to.equal(15); // + session, counts, retry-parked, pause, resume (issue 14), migrations (issue 15)
    for (const spec of v1) {
      const path = spec.path.replace(':id', 'some-saga').replace(':type', 'order');
      const res = await api().request<ApiErrorBody>(spec.method.toUpperCase(), path, {
        ...(spec.body ? { json: { type: 'order', input: {} } } : {}),
      });
      expect(res.status, `${spec.method} ${path}`).to.equal(401);
      expect(res.body.error.code).to.equal('UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
      const wrong = await api('not-the-token').request<ApiErrorBody>(
        spec.method.toUpperCase(),
        path,
      );
      expect(wrong.status, `${spec.method} ${path} with a wrong token`).to.equal(401);
    }
  });

  it('with the token, the same routes answer', async () => {
    const started = await api(TOKEN).post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput(),
    });
    expect(started.status).to.equal(201);
    const read = await api(TOKEN).get<SagaView>(`/v1/sagas/${started.body.id}`);
    expect(read.status).to.equal(200);
    expect((await api(TOKEN).get('/v1/definitions')).status).to.equal(200);
    // The token is not accepted anywhere else than the Authorization header.
    const inQuery = await api().get<ApiErrorBody>(`/v1/definitions?access_token=${TOKEN}`);
    expect(inQuery.status).to.equal(401);
  });

  it('/healthz, /readyz, /metrics and /openapi.json need no token', async () => {
    const health = await api().get<{ status: string }>('/healthz');
    expect(health.body).to.deep.equal({ status: 'ok' });
    const ready = await api().get<{ status: string; checks: Record<string, boolean> }>('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.equal({
      status: 'ready',
      checks: { redis: true, kafkaBroker: true, kafkaConsumer: true, started: true },
    });
    const metrics = await api().get('/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.text).to.contain('saga_up 1');
    const document = await api().get<OpenApiDocument>('/openapi.json');
    expect(document.body.openapi).to.equal('3.1.0');
    expect(Object.keys(document.body.paths)).to.include('/v1/sagas/{id}/events');
  });
});
