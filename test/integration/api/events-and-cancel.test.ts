import { expect } from 'chai';
import type { ApiErrorBody, SagaView } from '../../../orchestrator/api/index.js';
import { checkExampleInvariants, readInventory } from '../../../participants/examples/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

interface SagaResult {
  done: boolean;
  saga: SagaView;
}

describe('HTTP API: external events and cancel (real Kafka and Redis)', function () {
  this.timeout(180_000);
  const sut = useSystem('api-events', {
    api: true,
    // Deadlines long enough that a command still counts when the participants come back after
    // a stop (the cancel test), and a compensation is not given up while they rejoin.
    definitions: [
      createOrderSaga({
        ...TEST_ORDER_TIMINGS,
        stepTimeoutMs: 30_000,
        compensation: { timeoutMs: 20_000, maxAttempts: 3, backoff: { initialDelayMs: 100 } },
      }),
    ],
  });
  const api = () => apiClient(sut.system.apiUrl);

  async function startAwaitingApproval(): Promise<string> {
    const started = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount: 25_000 }),
    });
    expect(started.status).to.equal(201);
    const id = started.body.id;
    await eventually(`saga ${id} to wait for approval`, async () => {
      const res = await api().get<SagaView>(`/v1/sagas/${id}`);
      return res.body.state === 'awaitingApproval' ? true : undefined;
    });
    return id;
  }

  const result = async (id: string) =>
    (await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=60000`)).body;

  it('order.approve completes an order that waits for approval', async () => {
    const id = await startAwaitingApproval();
    const approved = await api().post<SagaView>(`/v1/sagas/${id}/events`, {
      type: 'order.approve',
      approvedBy: 'ana',
    });
    expect(approved.status).to.equal(200);
    expect(approved.body.state).not.to.equal('awaitingApproval');
    // One line per operator action: who sent which event (Saga-Actor absent: the role).
    const signal = approved.body.history.find((h) => h.kind === 'operator');
    expect(signal?.summary).to.equal('signal order.approve sent by operator');
    expect(signal?.data).to.deep.include({ action: 'signal', actor: 'operator', role: 'operator' });
    const done = await result(id);
    expect(done.done).to.equal(true);
    expect(done.saga.status).to.equal('completed');
  });

  it('order.reject compensates it', async () => {
    const id = await startAwaitingApproval();
    const rejected = await api().post<SagaView>(`/v1/sagas/${id}/events`, {
      type: 'order.reject',
      reason: 'too expensive',
    });
    expect(rejected.status).to.equal(200);
    const done = await result(id);
    expect(done.saga.status).to.equal('compensated');
    expect(JSON.stringify(done.saga.context)).to.contain('too expensive');
  });

  it('409 for an event the state does not accept or a saga that ended; 400 for reserved types', async () => {
    const id = await startAwaitingApproval();
    const unknown = await api().post<ApiErrorBody>(`/v1/sagas/${id}/events`, {
      type: 'order.ship',
    });
    expect(unknown.status).to.equal(409);
    expect(unknown.body.error.code).to.equal('EVENT_NOT_ACCEPTED');
    expect(unknown.body.error.message).to.equal(
      `saga ${id} does not accept order.ship in state awaitingApproval (status running)`,
    );
    expect(unknown.body.error.details).to.deep.include({
      status: 'running',
      state: 'awaitingApproval',
      accepts: ['order.approve', 'order.reject'],
    });

    for (const type of ['step.reserveInventory.succeeded', 'xstate.after.1000.x', 'saga.cancel']) {
      const reserved = await api().post<ApiErrorBody>(`/v1/sagas/${id}/events`, { type });
      expect(reserved.status, type).to.equal(400);
      expect(reserved.body.error.code, type).to.equal('RESERVED_EVENT');
    }
    const noType = await api().post<ApiErrorBody>(`/v1/sagas/${id}/events`, { approvedBy: 'x' });
    expect(noType.status).to.equal(400);
    expect(noType.body.error.message).to.equal('body must have property "type"');
    const nobody = await api().post<ApiErrorBody>('/v1/sagas/nobody/events', {
      type: 'order.approve',
    });
    expect(nobody.status).to.equal(404);

    await api().post(`/v1/sagas/${id}/events`, { type: 'order.approve' });
    expect((await result(id)).saga.status).to.equal('completed');
    const late = await api().post<ApiErrorBody>(`/v1/sagas/${id}/events`, {
      type: 'order.approve',
    });
    expect(late.status).to.equal(409);
    expect(late.body.error).to.deep.include({
      code: 'SAGA_ENDED',
      message: `saga ${id} is completed; nothing moves it any more`,
    });
    const cancelLate = await api().post<ApiErrorBody>(`/v1/sagas/${id}/cancel`);
    expect(cancelLate.status).to.equal(409);
    expect(cancelLate.body.error.code).to.equal('SAGA_ENDED');
    expect((await api().post<ApiErrorBody>('/v1/sagas/nobody/cancel')).status).to.equal(404);
  });

  it('cancel during a step: the command in flight is compensated and the saga ends cancelled', async () => {
    // No participant runs: the reservation command waits in its topic, in flight.
    await sut.system.stopParticipants();
    const input = orderInput({ quantity: 3 });
    const started = await api().post<SagaView>('/v1/sagas', { type: 'order', input });
    const id = started.body.id;
    expect(started.body.state).to.equal('reserveInventory.attempting');
    expect(started.body.pending.map((p) => p.command)).to.deep.equal(['ReserveItems']);
    expect(started.body.waitingFor.canCancel).to.equal(true);

    const cancelled = await api().post<SagaView>(`/v1/sagas/${id}/cancel`);
    expect(cancelled.status).to.equal(200);
    expect(cancelled.body.status).to.equal('running');
    expect(cancelled.body.state).to.match(/^compensating/);
    // The reservation's outcome is unknown, so it is undone: ReleaseItems is sent.
    expect(cancelled.body.pending.map((p) => `${p.kind}:${p.command}`)).to.deep.equal([
      'compensation:ReleaseItems',
    ]);
    const again = await api().post<ApiErrorBody>(`/v1/sagas/${id}/cancel`);
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('EVENT_NOT_ACCEPTED');

    // The participants come back: inventory reserves (the command was still valid), then
    // releases; the late reservation reply no longer moves the saga.
    await sut.system.startParticipants();
    const done = await result(id);
    expect(done.done).to.equal(true);
    expect(done.saga.status).to.equal('cancelled');
    const lines = done.saga.history.map((h) => h.summary);
    expect(lines).to.include('reserveInventory: compensation ReleaseItems succeeded (attempt 1)');
    const inventory = await readInventory(sut.infra.redis, {
      keyPrefix: sut.system.exampleKeyPrefix,
    });
    expect(inventory.reservations[input.orderId] ?? {}).to.deep.equal({});
    expect(
      await checkExampleInvariants(sut.infra.redis, { keyPrefix: sut.system.exampleKeyPrefix }),
    ).to.deep.equal([]);
  });
});
