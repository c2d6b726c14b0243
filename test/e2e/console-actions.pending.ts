/**
 * PENDING — NOT RUN BY THE SUITE YET (the name does not match `*.test.ts`).
 *
 * The console's actions that need routes of the other issue-14 branches: pause/resume and the
 * audit trail (Helper A), the read-only role, `GET /v1/session` and bulk retry (Helper C). The
 * lead enables this file at merge by renaming it to `console-actions.test.ts` (and adjusting the
 * read-only token's option name below if Helper C named it otherwise). The actions that work on
 * today's API (signal, cancel, retry of one parked saga) are tested in console.test.ts.
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

describe('console actions (ENABLE AT MERGE: pause/resume, roles, session, counts, bulk retry)', function () {
  this.timeout(180_000);
  // Helper C's option for API_READ_TOKEN; a variable, so the name is checked only once it exists.
  const api = { apiToken: OPERATOR_TOKEN, apiReadToken: READ_TOKEN };
  const sut = useSystem('console-actions', {
    api,
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
    expect(await page.locator('.paused-note').textContent())
      .to.include('alice')
      .and.include('checking the address');
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
    expect(operatorLines.map((e) => e.data)).to.deep.include.members([
      { action: 'pause', actor: 'alice', reason: 'checking the address', role: 'operator' },
      { action: 'resume', actor: 'alice', reason: 'address confirmed', role: 'operator' },
    ]);
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

  it('shows the API’s 400 reason when a signal is refused by the definition', async () => {
    const id = await awaitingOrder();
    const page = await browser.open(url(`/ui/sagas/${id}`), {
      token: OPERATOR_TOKEN,
      actor: 'alice',
    });
    await page.click('[data-action="signal"]');
    await page.selectOption('form.dialog select[name="event"]', 'order.approve');
    // approvedBy is a string in the order saga's signal contract.
    await page.fill('form.dialog textarea[name="payload"]', '{"approvedBy": 42}');
    await page.click('form.dialog button[type="submit"]');
    const alert = page.locator('form.dialog [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).to.match(/^400 \w+: /);
    expect((await getSaga(id)).state).to.equal('awaitingApproval');
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

  it('counts parked sagas in a dry run, then retries them in bulk', async () => {
    const page = await browser.open(url('/ui/?type=order'), {
      token: OPERATOR_TOKEN,
      actor: 'alice',
    });
    await page.click('[data-action="bulk-retry"]');
    await page.click('[data-action="dry-run"]');
    await eventually('the dry run to answer', async () =>
      /\d+ parked saga\(s\) match/.test((await page.locator('[data-dry-run]').textContent()) ?? '')
        ? true
        : undefined,
    );
    expect(page.problems()).to.deep.equal([]);
  });
});
