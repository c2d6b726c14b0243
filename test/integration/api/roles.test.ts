import { expect } from 'chai';
import {
  OPERATIONS,
  isActionOperation,
  type ApiErrorBody,
  type SagaView,
} from '../../../orchestrator/api/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

const OPERATOR = 'operator-token-8d2e';
const READER = 'reader-token-41c7';
const GRAFANA = 'http://grafana.example:3000';
const TRACE = 'http://jaeger.example:16686/trace/{traceId}';

/** The body each action documents, minimal and valid, so a 403 is the role's and not the body's. */
const ACTION_BODIES: Record<string, unknown> = {
  startSaga: { type: 'order', input: orderInput() },
  signalSaga: { type: 'order.approve' },
  retryParked: { type: 'order' },
};

describe('HTTP API: roles (operator and read-only tokens) and the session (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-roles', {
    api: {
      apiToken: OPERATOR,
      readToken: READER,
      links: { grafanaUrl: GRAFANA, traceUrlTemplate: TRACE },
    },
  });
  const api = (token: string) => apiClient(sut.system.apiUrl, { token });
  let sagaId = '';

  before(async () => {
    const started = await api(OPERATOR).post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount: 30_000 }),
    });
    expect(started.status).to.equal(201);
    sagaId = started.body.id;
    // At rest (waiting for approval), so any change would come from a refused request.
    await eventually(`saga ${sagaId} to wait for approval`, async () => {
      const res = await api(OPERATOR).get<SagaView>(`/v1/sagas/${sagaId}`);
      return res.body.state === 'awaitingApproval' ? true : undefined;
    });
  });

  const pathOf = (path: string) => path.replace(':id', sagaId).replace(':type', 'order');

  it('every action of the OpenAPI document answers 403 FORBIDDEN to the read-only token and changes nothing', async () => {
    const actions = OPERATIONS.filter(isActionOperation);
    // Derived from the table: every non-GET under /v1, whatever is added later.
    expect(actions.map((o) => o.operationId)).to.include.members([
      'startSaga',
      'cancelSaga',
      'signalSaga',
      'retrySaga',
    ]);
    const before = await api(OPERATOR).get<SagaView>(`/v1/sagas/${sagaId}`);
    for (const spec of actions) {
      const body = spec.body ? (ACTION_BODIES[spec.operationId] ?? {}) : undefined;
      const res = await api(READER).request<ApiErrorBody>(
        spec.method.toUpperCase(),
        pathOf(spec.path),
        body !== undefined ? { json: body } : {},
      );
      expect(res.status, `${spec.method} ${spec.path}`).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
      expect(res.body.error.details).to.deep.equal({ role: 'read-only' });
      expect(spec.responses, spec.operationId).to.have.property('403');
    }
    const after = await api(OPERATOR).get<SagaView>(`/v1/sagas/${sagaId}`);
    expect(after.body.revision).to.equal(before.body.revision);
    expect(after.body.history.length).to.equal(before.body.history.length);
  });

  it('every GET under /v1 answers 200 to the read-only token', async () => {
    const reads = OPERATIONS.filter((o) => o.path.startsWith('/v1/') && o.method === 'get');
    expect(reads.length).to.be.greaterThan(4);
    for (const spec of reads) {
      const path = pathOf(spec.path) + (spec.operationId === 'waitForResult' ? '?timeoutMs=0' : '');
      const res = await api(READER).get(path);
      expect(res.status, `GET ${path}`).to.equal(200);
    }
  });

  it('the operator token can act; a wrong token is 401, not 403', async () => {
    const cancel = await api(OPERATOR).post<SagaView>(`/v1/sagas/${sagaId}/cancel`);
    expect(cancel.status).to.equal(200);
    const wrong = await api('not-a-token').request<ApiErrorBody>(
      'POST',
      `/v1/sagas/${sagaId}/cancel`,
    );
    expect(wrong.status).to.equal(401);
  });

  it('GET /v1/session says the role of the token and the configured links', async () => {
    const links = { grafanaUrl: GRAFANA, traceUrlTemplate: TRACE };
    expect((await api(OPERATOR).get('/v1/session')).body).to.deep.equal({
      role: 'operator',
      links,
    });
    expect((await api(READER).get('/v1/session')).body).to.deep.equal({
      role: 'read-only',
      links,
    });
  });
});
