/**
 * The operator console in a real browser (Debian's chromium through playwright-core) against a
 * real orchestrator on real Kafka and Redis with the example participants: the token prompt, the
 * list and its filters, the statechart of an order saga and of a saga with parallel regions with
 * the current state(s) highlighted, and the not-found pages. The actions (pause, resume, retry,
 * roles, signal refusals) need routes of other branches: test/e2e/console-actions.pending.ts.
 */
import { expect } from 'chai';
import type { SagaView } from '../../orchestrator/api/index.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { buildConsole } from '../../scripts/build-console.js';
import { attributesOf, LOOPBACK_ALIAS, useBrowser, type ConsolePage } from '../support/browser.js';
import { eventually } from '../support/eventually.js';
import { orderInput } from '../support/orders.js';
import { forkJoinSaga } from '../support/shapes/fork-join/index.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../support/system.js';

const TOKEN = 'console-e2e-token';

describe('console: the browser app at /ui (chromium, real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('console-e2e', {
    api: { apiToken: TOKEN },
    definitions: [
      createOrderSaga({ ...TEST_ORDER_TIMINGS, approvalThreshold: 10_000 }),
      forkJoinSaga,
    ],
  });
  const browser = useBrowser();

  const url = (path: string) => `${sut.system.apiUrl}${path}`;
  const open = (path: string) => browser.open(url(path), { token: TOKEN, actor: 'e2e' });

  async function getSaga(id: string): Promise<SagaView> {
    const response = await fetch(url(`/v1/sagas/${encodeURIComponent(id)}`), {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).to.equal(200);
    return (await response.json()) as SagaView;
  }

  async function sagaIn(id: string, done: (saga: SagaView) => boolean): Promise<SagaView> {
    await sut.system.sagaExists(id);
    return eventually(`saga ${id} to reach the expected state`, async () => {
      const saga = await getSaga(id);
      return done(saga) ? saga : undefined;
    });
  }

  /** The ids of the rows the list shows now. */
  const rowIds = (page: ConsolePage) => attributesOf(page, 'table.sagas tbody tr', 'data-saga-id');

  /** Waits until the list shows exactly `expected` (it reloads when the URL's filters change). */
  const listShows = (page: ConsolePage, expected: string[]) =>
    eventually(`the list to show ${expected.join(', ')}`, async () => {
      const shown = await rowIds(page);
      return shown.length === expected.length && expected.every((id) => shown.includes(id))
        ? shown
        : undefined;
    });

  // One saga of each kind the tests look at, made before them.
  const ids = { completed: '', awaiting: '', forkJoin: '' };
  before(async function () {
    this.timeout(120_000);
    // The bundle the orchestrator serves, from the sources as they are (esbuild: a second).
    await buildConsole('dist/console');
    const { orchestrator } = sut.system;
    const start = async (type: string, input: object) => {
      const outcome = await orchestrator.startSaga({ type, input: input as never });
      if (outcome.status !== 'started')
        throw new Error(`could not start ${type}: ${JSON.stringify(outcome)}`);
      return outcome.record.id;
    };
    ids.completed = await start('order', orderInput());
    ids.awaiting = await start('order', orderInput({ amount: 20_000 }));
    ids.forkJoin = await start('conformance-fork-join', { ref: 'trip-1' });
    await sagaIn(ids.completed, (s) => s.status === 'completed');
    await sagaIn(ids.awaiting, (s) => s.state === 'awaitingApproval');
    // Nobody answers hotels and flights here: both regions stay in their first attempt.
    await sagaIn(ids.forkJoin, (s) => s.pending.length === 2);
  });

  it('serves the console without a token, under helmet’s CSP, and index.html for any /ui path', async () => {
    for (const path of ['/ui', '/ui/', `/ui/sagas/${ids.completed}`, '/ui/no/such/page']) {
      const response = await fetch(url(path));
      expect(response.status, path).to.equal(200);
      expect(response.headers.get('content-type'), path).to.match(/^text\/html/);
      const csp = response.headers.get('content-security-policy');
      expect(csp, path)
        .to.include("script-src 'self'")
        .and.not.include('upgrade-insecure-requests');
      expect(await response.text(), path).to.include('<div id="app">');
    }
    const missing = await fetch(url('/ui/assets/no-such-file.js'));
    expect(missing.status).to.equal(404);
    // The API itself still wants the token.
    expect((await fetch(url('/v1/sagas'))).status).to.equal(401);
  });

  it('works over plain http on a host name that is not localhost (no upgrade to https)', async () => {
    const { port } = new URL(url('/'));
    const page = await browser.open(`http://${LOOPBACK_ALIAS}:${port}/ui/`, { token: TOKEN });
    await page.locator(`tr[data-saga-id="${ids.completed}"]`).waitFor();
    // On such an origin chromium ignores helmet's Cross-Origin-Opener-Policy and says so.
    expect(page.problems().filter((p) => !p.includes('Cross-Origin-Opener-Policy'))).to.deep.equal(
      [],
    );
  });

  it('asks for a token, refuses a wrong one, and shows the list with the right one', async () => {
    const page = await browser.open(url('/ui/'));
    const login = page.locator('[data-page="login"]');
    await login.waitFor();
    await page.fill('input[name="token"]', 'not-the-token');
    await page.click('form.login button[type="submit"]');
    await page.locator('form.login [role="alert"]').waitFor();
    expect(await page.locator('form.login [role="alert"]').textContent()).to.include('refused');

    await page.fill('input[name="token"]', TOKEN);
    await page.fill('form.login input[name="actor"]', 'alice');
    await page.click('form.login button[type="submit"]');
    await page.locator(`table.sagas tr[data-saga-id="${ids.completed}"]`).waitFor();
    expect(await page.locator('[data-role]').textContent()).to.include('alice');
    // The token is kept for the session: a reload does not ask again.
    await page.reload();
    await page.locator(`table.sagas tr[data-saga-id="${ids.completed}"]`).waitFor();
    expect(await login.count()).to.equal(0);
    expect(page.problems()).to.deep.equal([]);
  });

  it('lists the sagas and filters them by type and status, keeping the filters in the URL', async () => {
    const page = await open('/ui/');
    await page.locator(`tr[data-saga-id="${ids.forkJoin}"]`).waitFor();
    expect(await rowIds(page)).to.have.members([ids.completed, ids.awaiting, ids.forkJoin]);

    await page.selectOption('select[name="type"]', 'conformance-fork-join');
    await page.waitForURL(/[?&]type=conformance-fork-join/);
    await listShows(page, [ids.forkJoin]);

    await page.selectOption('select[name="type"]', 'order');
    await page.selectOption('select[name="status"]', 'completed');
    await page.waitForURL(/status=completed/);
    await listShows(page, [ids.completed]);
    expect(new URL(page.url()).searchParams.get('type')).to.equal('order');

    // The URL is the filter: opening it anew shows the same list.
    const linked = await open('/ui/?type=order&status=running');
    await linked.locator(`tr[data-saga-id="${ids.awaiting}"]`).waitFor();
    expect(await rowIds(linked)).to.deep.equal([ids.awaiting]);
    expect(await linked.locator('select[name="status"]').inputValue()).to.equal('running');
    expect([...page.problems(), ...linked.problems()]).to.deep.equal([]);
  });

  it('draws the order saga’s statechart with its current state highlighted and the path it took', async () => {
    const page = await open(`/ui/sagas/${ids.awaiting}`);
    await page.locator('.statechart svg').waitFor();
    const classesOf = (path: string) =>
      page.locator(`.statechart g.state[data-path="${path}"]`).getAttribute('class');
    expect(await classesOf('awaitingApproval')).to.match(/\bactive\b/);
    // Only the current state is active; the steps it went through are marked as visited.
    const active = await attributesOf(page, '.statechart g.state.leaf.active', 'data-path');
    expect(active).to.deep.equal(['awaitingApproval']);
    for (const step of ['reserveInventory', 'authorizePayment']) {
      expect(await classesOf(step))
        .to.match(/\bvisited\b/)
        .and.not.match(/\bactive\b/);
    }
    expect(await classesOf('confirmOrder')).to.not.match(/\bvisited\b|\bactive\b/);
    expect(await page.locator('.statechart g.transition.taken').count()).to.be.at.least(2);
    // Every transition of the definition is an arrow with its event as the label.
    expect(await page.locator('.statechart g.transition').count()).to.be.at.least(10);

    // The timeline holds the steps' commands and replies, with the time each reply took.
    const kinds = await attributesOf(page, 'table.timeline tbody tr', 'data-kind');
    expect(kinds).to.include.members(['started', 'command', 'reply', 'transition']);
    // A reply shows how long it took against its step's deadline (TEST_ORDER_TIMINGS: 6 s).
    const took = await page
      .locator('table.timeline tr[data-kind="reply"] td.took')
      .first()
      .textContent();
    expect(took).to.match(/^\s*\d+(\.\d+)? m?s \/ 6\.00 s\s*$/);
    expect(await page.locator('.facts code.state').textContent()).to.equal('awaitingApproval');
    expect(await page.locator('.waiting').textContent()).to.include('order.approve');
    expect(page.problems()).to.deep.equal([]);
  });

  it('highlights every active state of a saga with parallel regions', async () => {
    // A saga of its own: the regions' deadlines (30 s) must not pass before the page is read.
    const outcome = await sut.system.orchestrator.startSaga({
      type: 'conformance-fork-join',
      input: { ref: 'trip-2' },
    });
    if (outcome.status !== 'started') throw new Error('the fork-join saga did not start');
    const saga = await sagaIn(outcome.record.id, (s) => s.pending.length === 2);
    const leaves = saga.state.split(',');
    expect(leaves).to.have.length(2); // booking.hotel.…, booking.flight.…
    const page = await open(`/ui/sagas/${saga.id}`);
    await page.locator('.statechart svg').waitFor();
    const active = await attributesOf(page, '.statechart g.state.leaf.active', 'data-path');
    expect(active).to.have.members(leaves);
    // The parallel state and both its regions are drawn, the regions as boxes of their own.
    expect(
      await page.locator('.statechart g.state.parallel[data-path="booking"]').getAttribute('class'),
    ).to.match(/\bactive\b/);
    const regions = await attributesOf(page, '.statechart g.state.region', 'data-path');
    expect(regions).to.have.members(['booking.hotel', 'booking.flight']);
    // Side by side: the regions' boxes do not overlap.
    const [hotel, flight] = await Promise.all(
      ['booking.hotel', 'booking.flight'].map((p) =>
        page.locator(`g.state[data-path="${p}"] > rect`).first().boundingBox(),
      ),
    );
    expect(hotel && flight).to.not.equal(null);
    const apart =
      hotel!.x + hotel!.width <= flight!.x ||
      flight!.x + flight!.width <= hotel!.x ||
      hotel!.y + hotel!.height <= flight!.y ||
      flight!.y + flight!.height <= hotel!.y;
    expect(apart).to.equal(true);
    // Both pending commands are listed with their deadlines.
    expect(await page.locator('.waiting tbody tr').count()).to.equal(2);
    expect(page.problems()).to.deep.equal([]);
  });

  it('opens a saga from the list and goes back without a reload', async () => {
    const page = await open('/ui/');
    await page.click(`tr[data-saga-id="${ids.completed}"] a`);
    await page.locator(`[data-page="saga"][data-saga-id="${ids.completed}"]`).waitFor();
    expect(new URL(page.url()).pathname).to.equal(`/ui/sagas/${ids.completed}`);
    expect(
      await page.locator('.statechart g.state.leaf.active').getAttribute('data-path'),
    ).to.equal('completed');
    await page.goBack();
    await page.locator('[data-page="list"]').waitFor();
    expect(page.problems()).to.deep.equal([]);
  });

  /** Starts an order above the approval threshold and waits until it waits for approval. */
  async function awaitingOrder(): Promise<string> {
    const outcome = await sut.system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput({ amount: 20_000 }) },
    });
    if (outcome.status !== 'started') throw new Error('the order did not start');
    await sagaIn(outcome.record.id, (s) => s.state === 'awaitingApproval');
    return outcome.record.id;
  }

  /** Opens the action's dialog, fills the reason, and confirms. */
  async function confirmAction(page: ConsolePage, action: string, reason: string) {
    await page.click(`[data-action="${action}"]`);
    await page.locator('form.dialog').waitFor();
    await page.fill('form.dialog input[name="reason"]', reason);
    await page.click('form.dialog button[type="submit"]');
  }

  it('approves a waiting order with a signal from its page, and the saga completes', async () => {
    const id = await awaitingOrder();
    const page = await open(`/ui/sagas/${id}`);
    await page.click('[data-action="signal"]');
    expect(
      await page.locator('form.dialog select[name="event"] option').allTextContents(),
    ).to.deep.equal(['order.approve', 'order.reject']);
    await page.selectOption('form.dialog select[name="event"]', 'order.approve');
    await page.fill('form.dialog textarea[name="payload"]', '{"approvedBy":"alice"}');
    await page.fill('form.dialog input[name="reason"]', 'checked by phone');
    await page.click('form.dialog button[type="submit"]');
    await page.locator('form.dialog').waitFor({ state: 'detached' });
    // The page refreshes until the saga is at rest: the badge and the statechart follow.
    await page.locator('.facts .badge.status-completed').waitFor();
    expect(
      await page.locator('.statechart g.state.leaf.active').getAttribute('data-path'),
    ).to.equal('completed');
    const saga = await getSaga(id);
    expect(saga.status).to.equal('completed');
    // One operator line: the event, and who sent it from the page and why.
    const signal = saga.history.find(
      (entry) => (entry.kind as string) === 'operator' && entry.data?.action === 'signal',
    );
    expect(signal?.data?.event).to.deep.equal({ type: 'order.approve', approvedBy: 'alice' });
    expect(signal?.data).to.deep.include({ reason: 'checked by phone', role: 'operator' });
    expect(page.problems()).to.deep.equal([]);
  });

  it('refuses a signal in the page: a payload that is not JSON, and the API’s 409 with its reason', async () => {
    const id = await awaitingOrder();
    const page = await open(`/ui/sagas/${id}`);
    await page.click('[data-action="signal"]');
    await page.fill('form.dialog textarea[name="payload"]', '{not json');
    await page.click('form.dialog button[type="submit"]');
    const alert = page.locator('form.dialog [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).to.include('the payload is not JSON');

    // The saga moves on behind the page's back: its signal is now refused by the API.
    const approved = await fetch(url(`/v1/sagas/${id}/events`), {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'order.reject' }),
    });
    expect(approved.status).to.equal(200);
    await page.fill('form.dialog textarea[name="payload"]', '{}');
    await page.click('form.dialog button[type="submit"]');
    await eventually('the 409 to be shown', async () => {
      const text = (await alert.textContent()) ?? '';
      return text.includes('409') ? text : undefined;
    }).then((text) => expect(text).to.match(/409 (EVENT_NOT_ACCEPTED|SAGA_ENDED)/));
    expect(await page.locator('form.dialog').count()).to.equal(1); // left open with the reason
    expect(page.problems()).to.deep.equal([]);
  });

  it('cancels a waiting order from its page after confirmation', async () => {
    const id = await awaitingOrder();
    const page = await open(`/ui/sagas/${id}`);
    await confirmAction(page, 'cancel', 'customer called');
    await page.locator('.facts .badge.status-cancelled').waitFor();
    expect((await getSaga(id)).status).to.equal('cancelled');
    // An ended saga offers no action.
    expect(await page.locator('[data-action]').count()).to.equal(0);
    expect(page.problems()).to.deep.equal([]);
  });

  it('retries a parked saga from its page once the participant is back', async () => {
    const id = await awaitingOrder();
    // Releasing the reservation needs inventory: with it stopped, the compensation parks.
    await sut.system.participants?.inventory.stop();
    try {
      const rejected = await fetch(url(`/v1/sagas/${id}/events`), {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'order.reject' }),
      });
      expect(rejected.status).to.equal(200);
      await sagaIn(id, (s) => s.status === 'parked');
    } finally {
      await sut.system.startParticipantAgain('inventory');
    }
    const list = await open('/ui/?status=parked');
    await list.locator(`tr[data-saga-id="${id}"]`).waitFor();
    expect(await list.locator('[data-tab="parked"]').getAttribute('aria-selected')).to.equal(
      'true',
    );

    const page = await open(`/ui/sagas/${id}`);
    await page.locator('.facts .badge.status-parked').waitFor();
    await confirmAction(page, 'retry', 'inventory is back');
    await page.locator('.facts .badge.status-compensated').waitFor({ timeout: 60_000 });
    expect((await getSaga(id)).status).to.equal('compensated');
    expect([...list.problems(), ...page.problems()]).to.deep.equal([]);
  });

  it('pages through a long list 50 at a time with the cursor, never loading it all', async () => {
    const started: string[] = [];
    for (let i = 0; i < 55; i++) {
      const outcome = await sut.system.orchestrator.startSaga({
        type: 'order',
        input: { ...orderInput() },
      });
      if (outcome.status !== 'started') throw new Error('an order did not start');
      started.push(outcome.record.id);
    }
    const requested: string[] = [];
    const page = await open('/ui/?type=order');
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v1/sagas') requested.push(request.url());
    });
    await page.locator(`tr[data-saga-id="${started.at(-1)}"]`).waitFor(); // newest first
    const first = await rowIds(page);
    expect(first).to.have.length(50);

    await page.click('[data-page-action="next"]');
    await page.waitForURL(/[?&]cursor=/);
    const second = await eventually('the second page', async () => {
      const shown = await rowIds(page);
      return shown.length > 0 && !shown.includes(first[0]!) ? shown : undefined;
    });
    expect(second.filter((id) => first.includes(id))).to.deep.equal([]);
    expect([...first, ...second]).to.include.members(started);
    // Every list request asked for one page, never everything.
    expect(requested.length).to.be.at.least(1);
    for (const request of requested)
      expect(new URL(request).searchParams.get('limit')).to.equal('50');

    await page.click('[data-page-action="first"]');
    await listShows(page, first);
    expect(page.problems()).to.deep.equal([]);
  });

  it('shows a not-found page for an unknown saga id and an unknown console path', async () => {
    const page = await open('/ui/sagas/no-such-saga');
    await page.locator('[data-page="not-found"]').waitFor();
    expect(await page.locator('[data-page="not-found"]').textContent()).to.include('no-such-saga');
    const nowhere = await open('/ui/nowhere');
    await nowhere.locator('[data-page="not-found"]').waitFor();
    expect(await nowhere.locator('[data-page="not-found"]').textContent()).to.include(
      '/ui/nowhere',
    );
    expect([...page.problems(), ...nowhere.problems()]).to.deep.equal([]);
  });
});
