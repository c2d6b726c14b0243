/**
 * Signals checked against the definition, through the API on real Kafka and Redis: a signal whose
 * fields break the schema the order saga declares is refused with 400 `INVALID_EVENT` and each
 * violation, and the saga is left exactly as it was; a matching one is applied; the definitions
 * publish the schemas.
 */
import { expect } from 'chai';
import type { ApiErrorBody, SagaView } from '../../../orchestrator/api/index.js';
import { createOrderSaga, orderSignals } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

describe('HTTP API: signal payloads checked against the definition (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-signal-contracts', {
    api: true,
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs: 30_000 })],
  });
  const api = () => apiClient(sut.system.apiUrl);

  async function startAwaitingApproval(): Promise<SagaView> {
    const started = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount: 25_000 }),
    });
    expect(started.status).to.equal(201);
    const id = started.body.id;
    return eventually(`saga ${id} to wait for approval`, async () => {
      const res = await api().get<SagaView>(`/v1/sagas/${id}`);
      return res.body.state === 'awaitingApproval' ? res.body : undefined;
    });
  }

  it('refuses approvedBy of the wrong type with 400 INVALID_EVENT and the reason, the saga unchanged', async () => {
    const before = await startAwaitingApproval();
    const refused = await api().post<ApiErrorBody>(`/v1/sagas/${before.id}/events`, {
      type: 'order.approve',
      approvedBy: 42,
    });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.code).to.equal('INVALID_EVENT');
    expect(refused.body.error.message).to.equal(
      'signal order.approve does not match its schema in saga type order version 1: ' +
        '/approvedBy must be string',
    );
    expect(refused.body.error.details).to.deep.equal({
      type: 'order.approve',
      errors: [{ path: '/approvedBy', message: 'must be string' }],
    });

    const extra = await api().post<ApiErrorBody>(`/v1/sagas/${before.id}/events`, {
      type: 'order.reject',
      reason: '',
      by: 'ana',
    });
    expect(extra.status).to.equal(400);
    expect(extra.body.error.details?.errors).to.have.deep.members([
      { path: '/', message: 'has property "by" the signal does not declare' },
      { path: '/reason', message: 'must NOT have fewer than 1 characters' },
    ]);

    // Nothing was written: same revision, same state, the same history (no operator line).
    const after = (await api().get<SagaView>(`/v1/sagas/${before.id}`)).body;
    expect(after.revision).to.equal(before.revision);
    expect(after.state).to.equal('awaitingApproval');
    expect(after.historyPage.total).to.equal(before.historyPage.total);
    expect(after.history.filter((h) => h.kind === 'operator')).to.deep.equal([]);
  });

  it('applies a signal whose fields match: the order completes, approvedBy in its history', async () => {
    const { id } = await startAwaitingApproval();
    const approved = await api().post<SagaView>(`/v1/sagas/${id}/events`, {
      type: 'order.approve',
      approvedBy: 'ana',
    });
    expect(approved.status).to.equal(200);
    const line = approved.body.history.find((h) => h.kind === 'operator');
    expect(line?.data?.event).to.deep.equal({ type: 'order.approve', approvedBy: 'ana' });
    const done = await api().get<{ done: boolean; saga: SagaView }>(
      `/v1/sagas/${id}/result?timeoutMs=60000`,
    );
    expect(done.body.saga.status).to.equal('completed');
  });

  it('publishes the signals with their schemas in GET /v1/definitions and /v1/definitions/order', async () => {
    const one = await api().get<{ signals?: unknown }>('/v1/definitions/order');
    expect(one.status).to.equal(200);
    expect(one.body.signals).to.deep.equal(orderSignals);
    const list = await api().get<{ items: { type: string; signals?: unknown }[] }>(
      '/v1/definitions',
    );
    expect(list.body.items.find((d) => d.type === 'order')?.signals).to.deep.equal(orderSignals);
  });
});
