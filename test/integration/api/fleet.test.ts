import { expect } from 'chai';
import type { ApiErrorBody, SagaSummaryView, SagaView } from '../../../orchestrator/api/index.js';
import type { RetryParkedResult } from '../../../orchestrator/api/saga-fleet-routes.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

interface Page {
  items: SagaSummaryView[];
  nextCursor?: string;
}

const PARKED = 6;

describe('HTTP API: counts, list filters and the bulk retry of parked sagas (real Kafka and Redis)', function () {
  this.timeout(180_000);
  const sut = useSystem('api-fleet', {
    api: true,
    // A compensation gives up quickly (two attempts of 600 ms), so sagas park within seconds
    // while the inventory participant is away.
    definitions: [
      createOrderSaga({
        ...TEST_ORDER_TIMINGS,
        compensation: { timeoutMs: 600, maxAttempts: 2, backoff: { initialDelayMs: 100 } },
      }),
    ],
  });
  const api = () => apiClient(sut.system.apiUrl);
  const parked: string[] = [];
  const prefix = `p${process.pid}-`;

  async function sagaOf(id: string): Promise<SagaView> {
    return (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
  }

  before(async () => {
    // Large orders wait for approval; with inventory away, rejecting them parks each one on
    // releasing its items.
    for (let n = 0; n < PARKED; n += 1) {
      const id = `${prefix}parked-${n}`;
      const started = await api().post<SagaView>('/v1/sagas', {
        type: 'order',
        id,
        input: orderInput({ amount: 30_000 }),
      });
      expect(started.status).to.equal(201);
      parked.push(id);
    }
    await eventually('every order to wait for approval', async () => {
      const states = await Promise.all(parked.map(async (id) => (await sagaOf(id)).state));
      return states.every((state) => state === 'awaitingApproval') ? true : undefined;
    });
    await sut.system.participants?.inventory.stop();
    for (const id of parked) {
      expect(
        (await api().post(`/v1/sagas/${id}/events`, { type: 'order.reject' })).status,
      ).to.equal(200);
    }
    await eventually(
      'every order to park',
      async () => {
        const statuses = await Promise.all(parked.map(async (id) => (await sagaOf(id)).status));
        return statuses.every((status) => status === 'parked') ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  });

  it('counts the stored sagas by type and status', async () => {
    const counts = await api().get<{ items: { type: string; status: string; count: number }[] }>(
      '/v1/sagas/counts',
    );
    expect(counts.status).to.equal(200);
    expect(counts.body.items).to.deep.include({ type: 'order', status: 'parked', count: PARKED });
  });

  it('filters the list by id prefix and age, cursor-paged', async () => {
    const byPrefix = await api().get<Page>(`/v1/sagas?idPrefix=${prefix}parked-&limit=4`);
    expect(byPrefix.body.items).to.have.length(4);
    expect(byPrefix.body.nextCursor).to.be.a('string');
    const rest = await api().get<Page>(
      `/v1/sagas?idPrefix=${prefix}parked-&limit=4&cursor=${byPrefix.body.nextCursor}`,
    );
    expect([...byPrefix.body.items, ...rest.body.items].map((s) => s.id).sort()).to.deep.equal(
      [...parked].sort(),
    );
    const none = await api().get<Page>('/v1/sagas?idPrefix=nobody-');
    expect(none.body.items).to.deep.equal([]);
    // Created more than an hour ago: none of these.
    const old = await api().get<Page>(`/v1/sagas?idPrefix=${prefix}&olderThanMs=3600000`);
    expect(old.body.items).to.deep.equal([]);
    const recent = await api().get<Page>(`/v1/sagas?idPrefix=${prefix}&olderThanMs=0`);
    expect(recent.body.items).to.have.length(PARKED);
    // Parked sagas are not "overdue": an operator owns them.
    const overdue = await api().get<Page>(`/v1/sagas?idPrefix=${prefix}&overdue=true`);
    expect(overdue.body.items).to.deep.equal([]);
    const bad = await api().get<ApiErrorBody>('/v1/sagas?olderThanMs=-1');
    expect(bad.status).to.equal(400);
  });

  it('a dry run lists the parked sagas of the type and changes nothing', async () => {
    const before = await Promise.all(parked.map(sagaOf));
    const dry = await api().post<RetryParkedResult>('/v1/sagas/retry-parked', {
      type: 'order',
      dryRun: true,
    });
    expect(dry.status).to.equal(200);
    expect(dry.body).to.deep.include({ matched: PARKED, retried: 0, failed: [] });
    expect([...dry.body.ids].sort()).to.deep.equal([...parked].sort());
    const after = await Promise.all(parked.map(sagaOf));
    expect(after.map((s) => [s.status, s.revision])).to.deep.equal(
      before.map((s) => [s.status, s.revision]),
    );
    const otherState = await api().post<RetryParkedResult>('/v1/sagas/retry-parked', {
      type: 'order',
      state: 'awaitingApproval',
      dryRun: true,
    });
    expect(otherState.body).to.deep.equal({ matched: 0, retried: 0, ids: [], failed: [] });
    const otherType = await api().post<RetryParkedResult>('/v1/sagas/retry-parked', {
      type: 'refund',
      dryRun: true,
    });
    expect(otherType.body.matched).to.equal(0);
  });

  it('retries at most `limit`, then the rest, and every retried saga finishes its compensation', async () => {
    await sut.system.startParticipantAgain('inventory');
    const first = await api().post<RetryParkedResult>(
      '/v1/sagas/retry-parked',
      { type: 'order', state: 'parked', limit: 2 },
      { headers: { 'Saga-Actor': 'Zo%C3%AB', 'Saga-Reason': 'inventory%20is%20back' } },
    );
    expect(first.body).to.deep.include({ matched: 2, retried: 2, failed: [] });
    const retriedFirst = await Promise.all(first.body.ids.map(sagaOf));
    for (const saga of retriedFirst) {
      expect(saga.status, saga.id).to.not.equal('parked');
      // Each saga's history says who retried it in bulk and why.
      const retried = saga.history.filter(
        (h) => (h.kind as string) === 'operator' && h.data?.action === 'retry',
      );
      expect(retried.map((h) => h.data).length, saga.id).to.equal(1);
      expect(retried[0]?.data).to.deep.include({ actor: 'Zoë', reason: 'inventory is back' });
    }
    const rest = await api().post<RetryParkedResult>('/v1/sagas/retry-parked', { type: 'order' });
    expect(rest.body).to.deep.include({ matched: PARKED - 2, retried: PARKED - 2, failed: [] });
    expect([...first.body.ids, ...rest.body.ids].sort()).to.deep.equal([...parked].sort());
    await eventually(
      'every retried order to be compensated',
      async () => {
        const statuses = await Promise.all(parked.map(async (id) => (await sagaOf(id)).status));
        return statuses.every((status) => status === 'compensated') ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const none = await api().post<RetryParkedResult>('/v1/sagas/retry-parked', { type: 'order' });
    expect(none.body).to.deep.equal({ matched: 0, retried: 0, ids: [], failed: [] });
  });
});
