/**
 * The console's signal dialog and the definition's signal schemas (chromium, real Kafka and
 * Redis): beside the payload editor it shows the chosen event's description and fields, and a
 * payload that breaks the schema is refused with the API's reason in the page, the saga unchanged.
 */
import { expect } from 'chai';
import type { SagaView } from '../../orchestrator/api/index.js';
import { createOrderSaga, orderSignals } from '../../sagas/order/index.js';
import { buildConsole } from '../../scripts/build-console.js';
import { useBrowser } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { orderInput } from '../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../support/system.js';

const TOKEN = 'console-signal-schema-token';

describe('console: a signal’s schema beside its payload, and its refusal (chromium, real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('console-signal-schema', {
    api: { apiToken: TOKEN },
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, approvalThreshold: 10_000 })],
  });
  const browser = useBrowser();
  const url = (path: string) => `${sut.system.apiUrl}${path}`;

  async function getSaga(id: string): Promise<SagaView> {
    const response = await fetch(url(`/v1/sagas/${encodeURIComponent(id)}`), {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as SagaView;
  }

  before(async function () {
    this.timeout(60_000);
    await buildConsole('dist/console');
  });

  it('shows the chosen event’s schema, refuses approvedBy: 42 with the reason, then sends a valid one', async () => {
    const outcome = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput({ amount: 20_000 }) },
    });
    if (outcome.status !== 'started') throw new Error('the order did not start');
    const id = outcome.record.id;
    const before = await eventually('the order to wait for approval', async () => {
      const saga = await getSaga(id);
      return saga.state === 'awaitingApproval' ? saga : undefined;
    });

    const page = await browser.open(url(`/ui/sagas/${id}`), { token: TOKEN, actor: 'e2e' });
    await page.click('[data-action="signal"]');
    await page.selectOption('form.dialog select[name="event"]', 'order.approve');
    const approve = page.locator('form.dialog .signal-schema[data-signal-schema="order.approve"]');
    await approve.locator('.signal-description').waitFor();
    expect(await approve.locator('.signal-description').textContent()).to.equal(
      orderSignals['order.approve'].description,
    );
    expect(await approve.locator('li[data-field="approvedBy"]').textContent()).to.include(
      'string, optional, min length 1',
    );
    expect(await approve.textContent()).to.include('No other fields.');

    await page.selectOption('form.dialog select[name="event"]', 'order.reject');
    await page
      .locator(
        'form.dialog .signal-schema[data-signal-schema="order.reject"] li[data-field="reason"]',
      )
      .waitFor();

    await page.selectOption('form.dialog select[name="event"]', 'order.approve');
    await page.fill('form.dialog textarea[name="payload"]', '{"approvedBy": 42}');
    await page.click('form.dialog button[type="submit"]');
    const alert = page.locator('form.dialog [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).to.equal(
      '400 INVALID_EVENT: signal order.approve does not match its schema in saga type order ' +
        'version 1: /approvedBy must be string',
    );
    const unchanged = await getSaga(id);
    expect(unchanged.revision).to.equal(before.revision);
    expect(unchanged.state).to.equal('awaitingApproval');

    // The dialog stays open with the payload: correct it and send.
    await page.fill('form.dialog textarea[name="payload"]', '{"approvedBy": "alice"}');
    await page.click('form.dialog button[type="submit"]');
    await page.locator('form.dialog').waitFor({ state: 'detached' });
    const approved = await eventually('the order to leave awaitingApproval', async () => {
      const saga = await getSaga(id);
      return saga.state !== 'awaitingApproval' ? saga : undefined;
    });
    const line = approved.history.find((h) => h.kind === 'operator');
    expect(line?.data?.event).to.deep.equal({ type: 'order.approve', approvedBy: 'alice' });
    expect(page.problems()).to.deep.equal([]);
  });
});
