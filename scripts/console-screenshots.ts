/**
 * Screenshots of the operator console on a real run, for the docs (`docs/console/*.png`): an
 * orchestrator with its API and the example participants on the Kafka and Redis named by
 * KAFKA_BROKERS and REDIS_URL (under a prefix of its own, deleted afterwards), a handful of
 * order sagas with different outcomes and a fork-join saga whose regions wait, then Debian's
 * chromium (playwright-core) on the list and on saga pages.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 REDIS_URL=redis://127.0.0.1:16379 npx tsx scripts/console-screenshots.ts
 *
 * Run `npm run build:console` first (the orchestrator serves that bundle).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { createOrderSaga } from '../sagas/order/index.js';
import { launchChromium, openPage } from '../test/support/browser.js';
import { eventually } from '../test/support/eventually.js';
import { infraEndpoints, uniquePrefix } from '../test/support/infra.js';
import { orderInput } from '../test/support/orders.js';
import { forkJoinSaga } from '../test/support/shapes/fork-join/index.js';
import { DEFAULT_SEED, startSystem, TEST_ORDER_TIMINGS } from '../test/support/system.js';

const OUT_DIR = path.resolve(import.meta.dirname, '..', 'docs', 'console');
const DECLINED_CUSTOMER = 'cus-over-limit';

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

async function main(): Promise<void> {
  const { brokers, redisUrl } = infraEndpoints();
  const prefix = uniquePrefix('console-shots');
  const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const system = await startSystem(
    { kafka, brokers, redis, prefix },
    {
      api: true,
      definitions: [
        createOrderSaga({ ...TEST_ORDER_TIMINGS, approvalThreshold: 10_000 }),
        forkJoinSaga,
      ],
      seed: { ...DEFAULT_SEED, creditLimits: { [DECLINED_CUSTOMER]: 50 } },
    },
  );
  const browser = await launchChromium();
  try {
    const start = async (type: string, input: object) => {
      const outcome = await system.orchestrator.startSaga({ type, input: input as never });
      if (outcome.status !== 'started') throw new Error(`could not start a ${type} saga`);
      return outcome.record.id;
    };
    const settled = async (id: string, done: (status: string, state: string) => boolean) =>
      eventually(
        `saga ${id}`,
        async () => {
          const record = await system.orchestrator.store.load(id);
          return record && done(record.status, record.state) ? record : undefined;
        },
        60_000,
      );

    const completed: string[] = [];
    for (let i = 0; i < 8; i++)
      completed.push(await start('order', orderInput({ quantity: 1 + (i % 3) })));
    const declined = await start(
      'order',
      orderInput({ customerId: DECLINED_CUSTOMER, amount: 400 }),
    );
    const awaiting = await start('order', orderInput({ amount: 25_000 }));
    const paused = await start('order', orderInput({ amount: 18_000 }));
    const trip = await start('conformance-fork-join', { ref: 'trip-42' });
    for (const id of completed) await settled(id, (status) => status === 'completed');
    await settled(declined, (status) => status === 'compensated');
    await settled(awaiting, (_status, state) => state === 'awaitingApproval');
    await settled(paused, (_status, state) => state === 'awaitingApproval');
    const pausedAnswer = await fetch(`${system.apiUrl}/v1/sagas/${paused}/pause`, {
      method: 'POST',
      headers: { 'Saga-Actor': 'alice', 'Saga-Reason': encodeURIComponent('address to check') },
    });
    if (pausedAnswer.status !== 200) throw new Error(`pause: ${pausedAnswer.status}`);
    await settled(trip, (_status, state) => state.split(',').length === 2);

    mkdirSync(OUT_DIR, { recursive: true });
    type Tab = Awaited<ReturnType<typeof openPage>>;
    const shoot = async (
      page: string,
      file: string,
      ready: string,
      act?: (tab: Tab) => Promise<void>,
    ) => {
      const tab = await openPage(browser, `${system.apiUrl}${page}`, { actor: 'alice' });
      await tab.locator(ready).first().waitFor();
      if (act) await act(tab);
      await tab.screenshot({ path: path.join(OUT_DIR, file), fullPage: true });
      const problems = tab.problems();
      await tab.context().close();
      if (problems.length > 0) throw new Error(`${page}: ${problems.join('; ')}`);
      console.log(`docs/console/${file}`);
    };
    await shoot('/ui/', 'list.png', `tr[data-saga-id="${trip}"]`);
    await shoot(`/ui/sagas/${awaiting}`, 'saga-awaiting-approval.png', '.statechart svg');
    await shoot(`/ui/sagas/${declined}`, 'saga-compensated.png', '.statechart svg');
    await shoot(`/ui/sagas/${trip}`, 'saga-parallel.png', '.statechart svg');
    await shoot(`/ui/sagas/${paused}`, 'saga-paused.png', '.statechart svg');
    // A signal the definition's schema refuses: the reason stays in the dialog.
    await shoot(`/ui/sagas/${awaiting}`, 'signal-refused.png', '.statechart svg', async (tab) => {
      await tab.click('[data-action="signal"]');
      await tab.selectOption('form.dialog select[name="event"]', 'order.approve');
      await tab.fill('form.dialog textarea[name="payload"]', '{"approvedBy": 42}');
      await tab.fill('form.dialog input[name="reason"]', 'approved on the phone');
      await tab.click('form.dialog button[type="submit"]');
      await tab.locator('form.dialog [role="alert"]').waitFor();
    });
  } finally {
    await browser.close();
    await system.stop();
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    await admin.disconnect();
    await deleteKeys(redis, `${prefix}:*`);
    await deleteKeys(redis, `{${prefix}*`);
    redis.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
