import { expect } from 'chai';
import type { ApiErrorBody, SagaView } from '../../../orchestrator/api/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import type { RunningParticipant } from '../../../participants/sdk/index.js';
import { TEST_ORDER_TIMINGS, useSystem, type SystemHandle } from '../../support/system.js';

interface SagaResult {
  done: boolean;
  saga: SagaView;
}

const audit = (actor?: string, reason?: string) => ({
  headers: {
    ...(actor !== undefined ? { 'Saga-Actor': encodeURIComponent(actor) } : {}),
    ...(reason !== undefined ? { 'Saga-Reason': encodeURIComponent(reason) } : {}),
  },
});

/** Stops the inventory participant: the one the system started, or the one started again. */
async function stopInventory(sut: SystemHandle, again: RunningParticipant | undefined) {
  await (again ?? sut.system.participants?.inventory)?.stop();
}

/** Starts an order while inventory does not consume: it waits on its first step. */
async function startWaitingOnInventory(sut: SystemHandle): Promise<SagaView> {
  const started = await apiClient(sut.system.apiUrl).post<SagaView>('/v1/sagas', {
    type: 'order',
    input: orderInput(),
  });
  expect(started.status).to.equal(201);
  expect(started.body.pending.map((p) => p.command)).to.deep.equal(['ReserveItems']);
  return started.body;
}

describe('HTTP API: pause and resume (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-pause', {
    api: true,
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs: 30_000 })],
  });
  const api = () => apiClient(sut.system.apiUrl);
  const get = async (id: string) => (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
  let inventoryAgain: RunningParticipant | undefined;

  it('pauses with who and why, holds the reply, refuses actions, and completes on resume', async () => {
    await stopInventory(sut, inventoryAgain);
    const { id } = await startWaitingOnInventory(sut);

    const paused = await api().post<SagaView>(
      `/v1/sagas/${id}/pause`,
      undefined,
      audit('Zoë Ops', 'supplier: late ✓'),
    );
    expect(paused.status).to.equal(200);
    expect(paused.body.paused).to.include({ actor: 'Zoë Ops', reason: 'supplier: late ✓' });
    const line = paused.body.history.at(-1);
    expect(line).to.deep.include({
      kind: 'operator',
      summary: 'paused by Zoë Ops: supplier: late ✓',
      data: { action: 'pause', actor: 'Zoë Ops', reason: 'supplier: late ✓', role: 'operator' },
    });

    // Idempotent: a second pause changes nothing and writes no line.
    const again = await api().post<SagaView>(`/v1/sagas/${id}/pause`);
    expect(again.status).to.equal(200);
    expect(again.body.paused).to.deep.equal(paused.body.paused);
    expect(again.body.historyPage.total).to.equal(paused.body.historyPage.total);
    const listed = await api().get<{ items: SagaView[] }>('/v1/sagas?type=order&limit=500');
    expect(listed.body.items.find((s) => s.id === id)?.paused).to.deep.equal(paused.body.paused);

    for (const [path, body] of [
      ['cancel', undefined],
      ['retry', undefined],
      ['events', { type: 'order.approve' }],
    ] as const) {
      const refused = await api().post<ApiErrorBody>(`/v1/sagas/${id}/${path}`, body);
      expect(refused.status, path).to.equal(409);
      expect(refused.body.error.code, path).to.equal('SAGA_PAUSED');
      expect(refused.body.error.message).to.contain('paused by Zoë Ops');
    }
    const badHeader = await api().post<ApiErrorBody>(`/v1/sagas/${id}/pause`, undefined, {
      headers: { 'Saga-Actor': '%E0%A4%A' },
    });
    expect(badHeader.status).to.equal(400);
    expect(badHeader.body.error.code).to.equal('VALIDATION_FAILED');

    // Inventory answers now: the reply is recorded, not applied; nothing else is sent.
    inventoryAgain = await sut.system.startParticipantAgain('inventory');
    const held = await eventually(`the reply to ${id} to be held`, async () => {
      const saga = await get(id);
      return saga.history.some((h) => h.summary.startsWith('reply held: paused'))
        ? saga
        : undefined;
    });
    expect(held.state).to.equal('reserveInventory.attempting');
    expect(held.pending.map((p) => p.command)).to.deep.equal(['ReserveItems']);
    expect(held.paused).to.not.equal(undefined);
    expect(held.waitingFor).to.deep.include({ events: [], canCancel: false, canRetry: false });
    expect(held.waitingFor.summary).to.have.length(1);
    expect(held.waitingFor.summary[0]).to.match(
      /^an operator: paused by Zoë Ops \(supplier: late ✓\) since .*resume.*; 1 reply held$/,
    );

    const resumed = await api().post<SagaView>(`/v1/sagas/${id}/resume`);
    expect(resumed.status).to.equal(200);
    expect(resumed.body.paused).to.equal(undefined);
    const resumeLine = resumed.body.history.find(
      (h) => h.kind === 'operator' && h.data?.action === 'resume',
    );
    expect(resumeLine?.summary).to.equal('resumed by operator');
    // The held reply was applied by the resume itself: the saga went on to its next step.
    expect(resumed.body.state).to.not.match(/^reserveInventory/);

    const done = (await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=60000`)).body;
    expect(done.saga.status).to.equal('completed');
    expect(await sut.system.invariantViolations()).to.deep.equal([]);

    for (const action of ['pause', 'resume']) {
      const ended = await api().post<ApiErrorBody>(`/v1/sagas/${id}/${action}`);
      expect(ended.status, action).to.equal(409);
      expect(ended.body.error.code, action).to.equal('SAGA_ENDED');
    }
    const unknown = await api().post<ApiErrorBody>('/v1/sagas/no-such-saga/pause');
    expect(unknown.status).to.equal(404);
  });

  it('resuming a running saga changes nothing; a cancel says who and why', async () => {
    await stopInventory(sut, inventoryAgain);
    const { id } = await startWaitingOnInventory(sut);
    const before = await get(id);
    const resumed = await api().post<SagaView>(`/v1/sagas/${id}/resume`);
    expect(resumed.status).to.equal(200);
    expect(resumed.body.revision).to.equal(before.revision);

    const cancelled = await api().post<SagaView>(
      `/v1/sagas/${id}/cancel`,
      undefined,
      audit('bob', 'customer called'),
    );
    expect(cancelled.status).to.equal(200);
    const lines = cancelled.body.history.filter(
      (h) => h.kind === 'operator' || h.kind === 'signal',
    );
    expect(lines.map((h) => h.summary)).to.deep.equal(['cancelled by bob: customer called']);
    expect(lines[0]?.data).to.deep.equal({
      action: 'cancel',
      actor: 'bob',
      reason: 'customer called',
      role: 'operator',
      event: { type: 'saga.cancel' },
    });
    inventoryAgain = await sut.system.startParticipantAgain('inventory');
  });
});

describe('pause: a deadline that comes due while paused fires only after resume (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const stepTimeoutMs = 2_000;
  const sut = useSystem('api-pause-deadline', {
    api: true,
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs })],
  });
  const api = () => apiClient(sut.system.apiUrl);

  it('pushes the step deadline back by the time paused', async () => {
    await stopInventory(sut, undefined);
    const started = await startWaitingOnInventory(sut);
    const { id } = started;
    const dueAt = Date.parse(started.timers[0]?.dueAt ?? '');

    const paused = await api().post<SagaView>(`/v1/sagas/${id}/pause`);
    const pausedAt = Date.parse(paused.body.paused?.at ?? '');
    const remaining = dueAt - pausedAt;
    expect(remaining).to.be.greaterThan(0);

    // Well past the deadline (and the timer poller's interval): nothing fired.
    await eventually('the original deadline to be a second past', () =>
      Date.now() > dueAt + 1_000 ? true : undefined,
    );
    const whilePaused = (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
    expect(whilePaused.history.filter((h) => h.kind === 'timer')).to.deep.equal([]);
    expect(whilePaused.pending.map((p) => p.attempt)).to.deep.equal([1]);
    expect(whilePaused.revision).to.equal(paused.body.revision);

    const resumed = await api().post<SagaView>(`/v1/sagas/${id}/resume`);
    const resumeLine = resumed.body.history.find((h) => h.data?.action === 'resume');
    const resumedAt = Date.parse(resumeLine?.at ?? '');
    const newDueAt = Date.parse(resumed.body.timers[0]?.dueAt ?? '');
    // The deadline keeps what was left of it when paused.
    expect(newDueAt - resumedAt).to.equal(remaining);

    const fired = await eventually(`the deadline of ${id} to fire`, async () => {
      const saga = (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
      return saga.history.find((h) => h.kind === 'timer');
    });
    expect(Date.parse(fired.at)).to.be.at.least(newDueAt);
    await sut.system.startParticipantAgain('inventory');
  });
});
