import { expect } from 'chai';
import type { ApiErrorBody, SagaView } from '../../../orchestrator/api/index.js';
import type { StepContract } from '../../../orchestrator/engine/index.js';
import {
  confirmOrderContract,
  releaseItemsContract,
  reserveItemsContract,
} from '../../../sagas/order/contracts.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

interface SagaResult {
  done: boolean;
  saga: SagaView;
}

describe('HTTP API: start, read, wait (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-start-read', { api: true });
  const api = () => apiClient(sut.system.apiUrl);

  it('POST /v1/sagas answers 201 with the persisted saga, and a GET right after shows it', async () => {
    const input = orderInput();
    const started = await api().post<SagaView>('/v1/sagas', { type: 'order', input });
    expect(started.status).to.equal(201);
    const saga = started.body;
    expect(started.headers.get('location')).to.equal(`/v1/sagas/${saga.id}`);
    expect(saga).to.include({ type: 'order', version: '1' });
    expect(saga.revision).to.be.at.least(1);
    expect(saga.context).to.have.nested.property('input.orderId', input.orderId);
    expect(saga.history[0]).to.include({ kind: 'started' });

    // Read-your-writes: the store holds the saga the moment the POST has answered.
    const stored = await sut.system.orchestrator.store.load(saga.id);
    expect(stored?.revision).to.be.at.least(saga.revision);
    const read = await api().get<SagaView>(`/v1/sagas/${saga.id}`);
    expect(read.status).to.equal(200);
    expect(read.body.id).to.equal(saga.id);
    expect(read.body.revision).to.be.at.least(saga.revision);
    expect(read.body.createdAt).to.equal(saga.createdAt);

    const result = await api().get<SagaResult>(`/v1/sagas/${saga.id}/result?timeoutMs=60000`);
    expect(result.status).to.equal(200);
    expect(result.body.done).to.equal(true);
    expect(result.body.saga).to.include({ status: 'completed', state: 'completed' });
    expect(result.body.saga.pending).to.deep.equal([]);
    expect(result.body.saga.waitingFor).to.deep.equal({
      summary: [],
      events: [],
      canCancel: false,
      canRetry: false,
    });
    const kinds = new Set(result.body.saga.history.map((h) => h.kind));
    expect([...kinds]).to.include.members(['started', 'command', 'reply']);
    expect(result.body.saga.history.filter((h) => h.kind === 'command')).to.have.length(3);
    // The timeline carries what was sent and answered (the sealed history of an ended saga too).
    const reserve = result.body.saga.history.find(
      (h) => h.kind === 'command' && h.data?.command === 'ReserveItems',
    );
    expect(reserve?.data?.payload).to.deep.include({ orderId: input.orderId });
    const replies = result.body.saga.history.filter((h) => h.kind === 'reply');
    expect(replies).to.have.length(3);
    for (const reply of replies) {
      expect(reply.data, reply.summary).to.have.property('result').that.is.an('object');
    }
  });

  it('starts one saga for 20 concurrent requests with the same Idempotency-Key', async () => {
    const input = orderInput();
    const key = `idem-${input.orderId}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        api().post<SagaView>(
          '/v1/sagas',
          { type: 'order', input },
          { headers: { 'idempotency-key': key } },
        ),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).to.have.length(1);
    expect(statuses.filter((s) => s === 200)).to.have.length(19);
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).to.equal(1);
    const [id] = [...ids] as [string];
    expect(responses[0]?.body.idempotencyKey).to.equal(key);

    const saga = await api().get<SagaView>(`/v1/sagas/${id}/result?timeoutMs=60000`);
    const history = (saga.body as unknown as SagaResult).saga.history;
    expect(history.filter((h) => h.kind === 'started')).to.have.length(1);
    // One reservation command: the participant saw one saga, not twenty.
    expect(
      history.filter((h) => h.kind === 'command' && h.summary.includes('ReserveItems')),
    ).to.have.length(1);

    // Later, the same key still names the same saga; another key names another one.
    const again = await api().post<SagaView>(
      '/v1/sagas',
      { type: 'order', input },
      { headers: { 'idempotency-key': key } },
    );
    expect(again.status).to.equal(200);
    expect(again.body.id).to.equal(id);
    expect(again.body.status).to.equal('completed');
    const other = await api().post<SagaView>(
      '/v1/sagas',
      { type: 'order', input: orderInput() },
      { headers: { 'idempotency-key': `${key}-other` } },
    );
    expect(other.status).to.equal(201);
    expect(other.body.id).not.to.equal(id);
  });

  it('uses the id given in the body; the same id again returns that saga with 200', async () => {
    const id = `api-test-${orderInput().orderId}`;
    const first = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput(),
      id,
    });
    expect(first.status).to.equal(201);
    expect(first.body.id).to.equal(id);
    const second = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput(),
      id,
    });
    expect(second.status).to.equal(200);
    expect(second.body.id).to.equal(id);
    expect(second.body.createdAt).to.equal(first.body.createdAt);
  });

  it('400 for bad bodies: each says what is wrong', async () => {
    const cases: Array<{ body: unknown; code: string; message: RegExp }> = [
      { body: { input: {} }, code: 'VALIDATION_FAILED', message: /body must have property "type"/ },
      {
        body: { type: 'order', input: [] },
        code: 'VALIDATION_FAILED',
        message: /body\/input must be object/,
      },
      {
        body: { type: 'order', input: orderInput(), colour: 'red' },
        code: 'VALIDATION_FAILED',
        message: /body has unknown property "colour"/,
      },
      {
        body: { type: 'order', input: orderInput(), id: 'has space' },
        code: 'VALIDATION_FAILED',
        message: /body\/id must match pattern/,
      },
      {
        body: { type: 'refund', input: orderInput() },
        code: 'UNKNOWN_SAGA_TYPE',
        message: /unknown saga type "refund" \(known: order\)/,
      },
      {
        body: { type: 'order', input: { ...orderInput(), items: [] } },
        code: 'INVALID_INPUT',
        message: /items/,
      },
    ];
    for (const { body, code, message } of cases) {
      const res = await api().post<ApiErrorBody>('/v1/sagas', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code, JSON.stringify(res.body)).to.equal(code);
      expect(res.body.error.message).to.match(message);
    }
    const invalid = await api().post<ApiErrorBody>('/v1/sagas', {
      type: 'order',
      input: { ...orderInput(), currency: 'euro' },
    });
    expect(invalid.body.error.details?.errors).to.be.an('array').that.is.not.empty;

    const malformed = await api().post<ApiErrorBody>('/v1/sagas', undefined, {
      raw: '{"type":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal('MALFORMED_JSON');
  });

  it('GET /v1/sagas/:id: 404 for an unknown saga, history paging with historyOffset/Limit', async () => {
    const missing = await api().get<ApiErrorBody>('/v1/sagas/no-such-saga');
    expect(missing.status).to.equal(404);
    expect(missing.body.error).to.deep.equal({
      code: 'SAGA_NOT_FOUND',
      message: 'no saga with id "no-such-saga"',
      details: { id: 'no-such-saga' },
    });

    const started = await api().post<SagaView>('/v1/sagas', { type: 'order', input: orderInput() });
    await api().get(`/v1/sagas/${started.body.id}/result?timeoutMs=60000`);
    const all = await api().get<SagaView>(`/v1/sagas/${started.body.id}`);
    const total = all.body.historyPage.total;
    expect(total).to.be.greaterThan(4);
    const page = await api().get<SagaView>(
      `/v1/sagas/${started.body.id}?historyOffset=2&historyLimit=2`,
    );
    expect(page.body.historyPage).to.deep.equal({ offset: 2, limit: 2, total, dropped: 0 });
    expect(page.body.history).to.deep.equal(all.body.history.slice(2, 4));
    const bad = await api().get<ApiErrorBody>(`/v1/sagas/${started.body.id}?historyLimit=5000`);
    expect(bad.status).to.equal(400);
  });

  it('GET /v1/sagas/:id/result: waits, caps timeoutMs, answers done:false on timeout', async () => {
    // An order above the approval threshold waits for an operator: it stays running.
    const started = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount: 20_000 }),
    });
    const id = started.body.id;
    const waited = await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=300`);
    expect(waited.status).to.equal(200);
    expect(waited.body.done).to.equal(false);
    expect(waited.body.saga.status).to.equal('running');

    const awaiting = await eventually('the order to wait for approval', async () => {
      const res = await api().get<SagaView>(`/v1/sagas/${id}`);
      return res.body.state === 'awaitingApproval' ? res.body : undefined;
    });
    expect(awaiting.waitingFor.events).to.deep.equal(['order.approve', 'order.reject']);
    expect(awaiting.waitingFor.canCancel).to.equal(true);
    expect(awaiting.waitingFor.summary.join('\n')).to.contain('order.approve or order.reject');
    expect(awaiting.timers.map((t) => t.event)).to.include(
      'xstate.after.order.approvalTimeout.order.awaitingApproval',
    );

    const tooLong = await api().get<ApiErrorBody>(`/v1/sagas/${id}/result?timeoutMs=600000`);
    expect(tooLong.status).to.equal(400);
    expect(tooLong.body.error.message).to.equal('query parameter timeoutMs must be <= 60000');
    const missing = await api().get<ApiErrorBody>('/v1/sagas/nobody/result?timeoutMs=10');
    expect(missing.status).to.equal(404);
  });

  it('GET /v1/definitions and /v1/definitions/:type show the order saga, its command schemas and its statechart', async () => {
    const list = await api().get<{
      items: Array<{ type: string; steps: Array<{ step: string; contract: StepContract }> }>;
    }>('/v1/definitions');
    expect(list.status).to.equal(200);
    expect(list.body.items.map((d) => d.type)).to.deep.equal(['order']);
    expect(list.body.items[0]?.steps.map((s) => s.step)).to.deep.equal([
      'reserveInventory',
      'authorizePayment',
      'confirmOrder',
    ]);
    const reserve = list.body.items[0]?.steps[0]?.contract;
    expect(reserve?.command.payload).to.deep.equal(reserveItemsContract.payloadSchema);
    expect(reserve?.compensation?.payload).to.deep.equal(releaseItemsContract.payloadSchema);
    const one = await api().get<{
      steps: Array<{ contract: StepContract }>;
      definition: { id: string; states: Record<string, unknown> };
    }>('/v1/definitions/order');
    expect(one.body.steps[2]?.contract.command.reply).to.deep.equal(
      confirmOrderContract.replySchema,
    );
    expect(one.status).to.equal(200);
    expect(one.body.definition.id).to.equal('order');
    expect(Object.keys(one.body.definition.states)).to.include.members([
      'reserveInventory',
      'awaitingApproval',
      'parked',
    ]);
    const missing = await api().get<ApiErrorBody>('/v1/definitions/refund');
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.equal('DEFINITION_NOT_FOUND');
  });
});
