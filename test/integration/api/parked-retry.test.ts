import { expect } from 'chai';
import type { ApiErrorBody, SagaSummaryView, SagaView } from '../../../orchestrator/api/index.js';
import { checkExampleInvariants } from '../../../participants/examples/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

interface SagaResult {
  done: boolean;
  saga: SagaView;
}

describe('HTTP API: retry of a parked saga (real Kafka and Redis)', function () {
  this.timeout(180_000);
  const sut = useSystem('api-retry', {
    api: true,
    // A compensation gives up quickly (two attempts of 2.5 s), so the saga parks within seconds
    // while its participant is away.
    definitions: [
      createOrderSaga({
        ...TEST_ORDER_TIMINGS,
        compensation: { timeoutMs: 2_500, maxAttempts: 2, backoff: { initialDelayMs: 100 } },
      }),
    ],
  });
  const api = () => apiClient(sut.system.apiUrl);

  it('parks when a compensation keeps failing, and a retry finishes it once the participant is back', async () => {
    const input = orderInput({ amount: 30_000 });
    const started = await api().post<SagaView>('/v1/sagas', { type: 'order', input });
    const id = started.body.id;
    await eventually(`saga ${id} to wait for approval`, async () => {
      const res = await api().get<SagaView>(`/v1/sagas/${id}`);
      return res.body.state === 'awaitingApproval' ? true : undefined;
    });

    const notParked = await api().post<ApiErrorBody>(`/v1/sagas/${id}/retry`);
    expect(notParked.status).to.equal(409);
    expect(notParked.body.error).to.deep.include({
      code: 'NOT_PARKED',
      message: `saga ${id} is running (state awaitingApproval); only a parked saga can be retried`,
    });

    // Inventory goes away, then the order is rejected: the payment is voided, but releasing the
    // items gets no answer and the saga parks.
    await sut.system.participants?.inventory.stop();
    const rejected = await api().post<SagaView>(`/v1/sagas/${id}/events`, {
      type: 'order.reject',
    });
    expect(rejected.status).to.equal(200);
    const parked = await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=60000`);
    expect(parked.body.done).to.equal(true);
    expect(parked.body.saga).to.include({ status: 'parked', state: 'parked' });
    expect(parked.body.saga.waitingFor).to.deep.include({ canRetry: true, canCancel: false });
    expect(parked.body.saga.waitingFor.summary.join('\n')).to.contain(`/v1/sagas/${id}/retry`);
    const list = await api().get<{ items: SagaSummaryView[] }>('/v1/sagas?status=parked');
    expect(list.body.items.map((s) => s.id)).to.deep.equal([id]);
    const cancel = await api().post<ApiErrorBody>(`/v1/sagas/${id}/cancel`);
    expect(cancel.status).to.equal(409);

    // Inventory is back; the operator retries.
    await sut.system.startParticipantAgain('inventory');
    const retried = await api().post<SagaView>(`/v1/sagas/${id}/retry`);
    expect(retried.status).to.equal(200);
    expect(retried.body.status).to.equal('running');
    expect(retried.body.pending.map((p) => `${p.kind}:${p.command}`)).to.deep.equal([
      'compensation:ReleaseItems',
    ]);
    const done = await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=60000`);
    expect(done.body.saga.status).to.equal('compensated');
    expect(
      await checkExampleInvariants(sut.infra.redis, { keyPrefix: sut.system.exampleKeyPrefix }),
    ).to.deep.equal([]);

    const over = await api().post<ApiErrorBody>(`/v1/sagas/${id}/retry`);
    expect(over.status).to.equal(409);
    expect(over.body.error.code).to.equal('NOT_PARKED');
    expect((await api().post<ApiErrorBody>('/v1/sagas/nobody/retry')).status).to.equal(404);
  });
});
