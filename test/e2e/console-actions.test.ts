/**
 * The console's operator actions in a real browser (Debian chromium through playwright-core)
 * against a real orchestrator on Kafka and Redis: pause and resume with the audit trail, the
 * read-only role, live counts, and bulk retry of parked sagas.
 * Signal, cancel and retry of one parked saga are in console.test.ts.
 */
import { expect } from 'chai';
import type { SagaView } from '../../orchestrator/api/index.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { useBrowser, type ConsolePage } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { orderInput } from '../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../support/system.js';

const OPERATOR_TOKEN = 'console-actions-operator';
const READ_TOKEN = 'console-actions-read-only';

describe('console actions: pause/resume, roles, counts, bulk retry', function () {
  this.timeout(180_000);
  const sut = useSystem('console-actions', {
    api: { apiToken: OPERATOR_TOKEN, readToken: READ_TOKEN },
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, approvalThreshold: 10_000 })],
  });
  const browser = useBrowser();
  const url = (path: string) => `${sut.system.apiUrl}${path}`;

  async function call(
    path: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ) {
    const response = await fetch(url(path), {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${init.token ?? OPERATOR_TOKEN}`,
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const getSaga = async (id: string) =>
    (await call(`/v1/sagas/${id}`)).body as unknown as SagaView & {
      paused?: { actor: string; reason?: string };
    };

  async function awaitingOrder(): Promise<string> {
    const outcome = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput({ amount: 20_000 }) },
    });
    if (outcome.status !== 'started') throw new Error('the order did not start');
    await eventually('the order to wait for approval', async () =>
      (await sut.system.orchestrator.store.load(outcome.record.id))?.state === 'awaitingApproval'
        ? true
        : undefined,
    );
    return outcome.record.id;
  }

  async function confirmAction(page: ConsolePage, action: string, reason: string) {
    await page.click(`[data-action="${action}"]`);
    await page.locator('form.dialog').waitFor();
    await page.fill('form.dialog input[name="reason"]', reason);
    await page.click('form.dialog button[type="submit"]');
    await page.locator('form.dialog').waitFor({ state: 'detached' });
  }

  it('an operator pauses a saga, sees it paused, resumes it and sees it complete', async () => {
    const id = await awaitingOrder();
    const page = await browser.open(url(`/ui/sagas/${id}`), {
      token: OPERATOR_TOKEN,
      actor: 'alice',
    });
    await confirmAction(page, 'pause', 'checking the address');
    await page.locator('.facts .badge.paused').waitFor();
    expect((await page.locator('.paused-note').textContent())?.trim()).to.match(
      /^Paused .+ ago by alice: checking the address$/,
    );
    expect((await getSaga(id)).paused).to.deep.include({
      actor: 'alice',
      reason: 'checking the address',
    });

    await confirmAction(page, 'resume', 'address confirmed');
    await page.locator('.facts .badge.paused').waitFor({ state: 'detached' });
    await page.click('[data-action="signal"]');
    await page.selectOption('form.dialog select[name="event"]', 'order.approve');
    await page.fill('form.dialog input[name="reason"]', 'approved');
    await page.click('form.dialog button[type="submit"]');
    await page.locator('.facts .badge.status-completed').waitFor();

    // Every action is in the history with who and why, and in the page's timeline.
    const operatorLines = (await getSaga(id)).history.filter(
      (e) => (e.kind as string) === 'operator',
    );
    const line = (action: string) => operatorLines.find((e) => e.data?.action === action)?.data;
    expect(line('pause')).to.deep.equal({
      action: 'pause',
      actor: 'alice',
      reason: 'checking the address',
      role: 'operator',
    });
    expect(line('resume')).to.deep.include({
      action: 'resume',
      actor: 'alice',
      reason: 'address confirmed',
      heldReplies: 0,
    });
    expect(line('resume')?.pausedForMs).to.be.a('number').and.be.above(0);
    expect(line('signal')).to.deep.include({ actor: 'alice', reason: 'approved' });
    expect(line('signal')?.event).to.deep.equal({ type: 'order.approve' });
    expect(await page.locator('table.timeline tr[data-kind="operator"]').count()).to.be.at.least(3);
    expect(page.problems()).to.deep.equal([]);
  });

  it('a read-only user sees no action buttons, and the API answers 403 to its actions', async () => {
    const id = await awaitingOrder();
    const page = await browser.open(url(`/ui/sagas/${id}`), { token: READ_TOKEN, actor: 'bob' });
    await page.locator('.statechart svg').waitFor();
    expect(await page.locator('[data-role]').getAttribute('data-role')).to.equal('read-only');
    expect(await page.locator('[data-action]').count()).to.equal(0);
    const list = await browser.open(url('/ui/'), { token: READ_TOKEN });
    await list.locator(`tr[data-saga-id="${id}"]`).waitFor();
    expect(await list.locator('[data-action="bulk-retry"]').count()).to.equal(0);

    for (const action of ['pause', 'cancel', 'retry']) {
      const refused = await call(`/v1/sagas/${id}/${action}`, {
        method: 'POST',
        token: READ_TOKEN,
      });
      expect(refused.status, action).to.equal(403);
      expect((refused.body.error as { code: string }).code).to.equal('FORBIDDEN');
    }
    expect((await getSaga(id)).state).to.equal('awaitingApproval');
    expect([...page.problems(), ...list.problems()]).to.deep.equal([]);
  });

  it('shows live counts by type and status from GET /v1/sagas/counts, linking to the list', async () => {
    const id = await awaitingOrder();
    const page = await browser.open(url('/ui/'), { token: OPERATOR_TOKEN });
    const running = page.locator('table.counts a[data-count="order:running"]');
    await running.waitFor();
    const counts = (await call('/v1/sagas/counts')).body.items as Array<{
      type: string;
      status: string;
      count: number;
    }>;
    const expected = counts.find((c) => c.type === 'order' && c.status === 'running')?.count;
    expect(expected).to.be.at.least(1);
    expect(await running.textContent()).to.equal(String(expected));
    await running.click();
    await page.waitForURL(/type=order/);
    await page.locator(`tr[data-saga-id="${id}"]`).waitFor();
    expect(new URL(page.url()).searchParams.get('status')).to.equal('running');
    expect(page.problems()).to.deep.equal([]);
  });

  it('counts parked sagas in a dry run, then retries them in bulk with who and why', async () => {
    // Two orders park: rejected while inventory (which must release their reservations) is down.
    const ids = [await awaitingOrder(), await awaitingOrder()];
    await sut.system.participants?.inventory.stop();
    try {
      for (const id of ids) {
        const rejected = await call(`/v1/sagas/${id}/events`, {
          method: 'POST',
          body: { type: 'order.reject' },
        });
        expect(rejected.status).to.equal(200);
      }
      await eventually('both orders to park', async () => {
        const sagas = await Promise.all(ids.map(getSaga));
        return sagas.every((saga) => saga.status === 'parked') ? true : undefined;
      });
    } finally {
      await sut.system.startParticipantAgain('inventory');
    }

    const page = await browser.open(url('/ui/?type=order'), {
      token: OPERATOR_TOKEN,
      actor: 'alice',
    });
    await page.click('[data-action="bulk-retry"]');
    await page.click('[data-action="dry-run"]');
    const dryRun = await eventually('the dry run to answer', async () => {
      const text = (await page.locator('[data-dry-run]').textContent()) ?? '';
      return /\d+ parked saga\(s\) match/.test(text) ? text : undefined;
    });
    expect(dryRun).to.include('2 parked saga(s) match; 2 would be retried');
    // The dry run changed nothing.
    expect((await Promise.all(ids.map(getSaga))).map((s) => s.status)).to.deep.equal([
      'parked',
      'parked',
    ]);

    await page.fill('form.dialog input[name="reason"]', 'inventory is back');
    await page.click('form.dialog button[type="submit"]');
    await page.locator('form.dialog').waitFor({ state: 'detached' });
    expect(await page.locator('.bulk .muted').textContent()).to.equal('Retried 2 of 2.');
    await eventually('both orders to compensate', async () => {
      const sagas = await Promise.all(ids.map(getSaga));
      return sagas.every((saga) => saga.status === 'compensated') ? true : undefined;
    });
    for (const id of ids) {
      const retryLines = (await getSaga(id)).history.filter(
        (e) => (e.kind as string) === 'operator' && e.data?.action === 'retry',
      );
      expect(retryLines).to.have.length(1);
      expect(retryLines[0]?.data).to.deep.include({
        actor: 'alice',
        reason: 'inventory is back',
        role: 'operator',
      });
    }
    expect(page.problems()).to.deep.equal([]);
  });
});
