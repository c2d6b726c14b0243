import { expect } from 'chai';
import type { ApiErrorBody, SagaSummaryView, SagaView } from '../../../orchestrator/api/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

interface SagaPage {
  items: SagaSummaryView[];
  nextCursor?: string;
}

describe('HTTP API: listing sagas (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('api-list', {
    api: true,
    // SKU-OUT has no stock: its orders are refused and compensated.
    seed: { stock: { 'SKU-1': 1_000, 'SKU-OUT': 0 }, defaultCreditLimit: 1_000_000 },
  });
  const api = () => apiClient(sut.system.apiUrl);

  const completed: string[] = [];
  const compensated: string[] = [];
  let awaiting = '';

  before(async function () {
    this.timeout(120_000);
    for (let i = 0; i < 5; i++) {
      const res = await api().post<SagaView>('/v1/sagas', { type: 'order', input: orderInput() });
      completed.push(res.body.id);
    }
    for (let i = 0; i < 2; i++) {
      const res = await api().post<SagaView>('/v1/sagas', {
        type: 'order',
        input: orderInput({ sku: 'SKU-OUT' }),
      });
      compensated.push(res.body.id);
    }
    const big = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount: 50_000 }),
    });
    awaiting = big.body.id;
    for (const id of [...completed, ...compensated]) {
      await api().get(`/v1/sagas/${id}/result?timeoutMs=60000`);
    }
    await eventually('the large order to wait for approval', async () => {
      const res = await api().get<SagaView>(`/v1/sagas/${awaiting}`);
      return res.body.state === 'awaitingApproval' ? true : undefined;
    });
  });

  /** Every page of a query, following the cursor. */
  async function allPages(query: string, limit: number) {
    const items: SagaSummaryView[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api().get<SagaPage>(
        `/v1/sagas?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).to.equal(200);
      expect(res.body.items.length).to.be.at.most(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
      expect(pages, 'the cursor must come to an end').to.be.below(50);
    } while (cursor);
    return { items, pages };
  }

  it('pages through every saga newest first with the cursor, each once', async () => {
    const { items, pages } = await allPages('type=order', 3);
    expect(pages).to.be.at.least(3);
    const ids = items.map((s) => s.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.have.members([...completed, ...compensated, awaiting]);
    const created = items.map((s) => s.createdAt);
    expect(created).to.deep.equal([...created].sort().reverse());
  });

  it('filters by status, by state, and by type', async () => {
    const done = await allPages('status=completed', 50);
    expect(done.items.map((s) => s.id)).to.have.members(completed);
    expect(done.items.every((s) => s.status === 'completed')).to.equal(true);

    const undone = await allPages('type=order&status=compensated', 50);
    expect(undone.items.map((s) => s.id)).to.have.members(compensated);

    const waiting = await allPages('type=order&state=awaitingApproval', 50);
    expect(waiting.items.map((s) => s.id)).to.deep.equal([awaiting]);
    expect(waiting.items[0]).to.include({ status: 'running', state: 'awaitingApproval' });

    const none = await api().get<SagaPage>('/v1/sagas?type=refund');
    expect(none.body).to.deep.equal({ items: [] });
  });

  it('400 for a bad limit, status, unknown parameter or cursor', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=ten', 'status=done', 'sort=asc']) {
      const res = await api().get<ApiErrorBody>(`/v1/sagas?${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('VALIDATION_FAILED');
    }
    const cursor = await api().get<ApiErrorBody>('/v1/sagas?cursor=not-a-cursor');
    expect(cursor.status).to.equal(400);
    expect(cursor.body.error.code).to.equal('INVALID_CURSOR');
  });
});
