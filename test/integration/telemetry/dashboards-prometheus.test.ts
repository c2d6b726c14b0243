/**
 * The acceptance test of the dashboards and the traces, on the real system: the orchestrator and
 * the participants (real Kafka, real Redis) run a mix of sagas while a real Prometheus scrapes
 * each one's `/metrics`; then every panel query of the committed dashboards must run and return
 * series. And one saga's spans, collected in memory from every service, must form one tree.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { CONTRACT_VERSION, HEADERS, type CommandMessage } from '../../../wire/contract/index.js';
import { commandIdFor } from '../../../orchestrator/engine/command-id.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import type { OrderInput } from '../../../sagas/order/index.js';
import { deterministicFraction } from '../../../participants/examples/shipping/deterministic-fraction.js';
import { useInfra } from '../../support/infra.js';
import { dashboardQueries, readDashboards } from '../../tooling/dashboards/dashboard-queries.js';
import { rangeQuery, renderPreview } from './support/dashboard-preview.js';
import { elapse, eventually } from '../../support/eventually.js';
import { PROMETHEUS_WAIT, startPrometheus, type RunningPrometheus } from './support/prometheus.js';
import {
  SHIPPING_FAILURE_RATE,
  startTelemetryStack,
  type TelemetryStack,
} from './support/telemetry-stack.js';

const ALERTS = path.resolve(import.meta.dirname, '..', '..', '..', 'dashboards', 'alerts.yaml');

/** Grafana's variables as Prometheus needs them: windows long enough to hold the whole run. */
function forPrometheus(expr: string): string {
  return expr.replaceAll('$__rate_interval', '2m').replaceAll('$__range', '10m');
}

const order = (n: number, overrides: Partial<OrderInput> = {}): OrderInput => ({
  orderId: `order-${n}`,
  customerId: `customer-${n}`,
  items: [
    { sku: 'SKU-1', quantity: 1 },
    { sku: 'SKU-2', quantity: 2 },
  ],
  amount: 50 + n,
  currency: 'EUR',
  ...overrides,
});

describe('telemetry on the running system: dashboards against a real Prometheus, one trace per saga', function () {
  this.timeout(240_000);
  let stack: TelemetryStack | undefined;
  let prometheus: RunningPrometheus | undefined;

  // Defined before useInfra so that it runs first: the stack needs Kafka and Redis to stop.
  after(async function () {
    this.timeout(120_000);
    await prometheus?.stop();
    await stack?.stop();
  });

  const infra = useInfra('telemetry-e2e');

  before(async function () {
    this.timeout(180_000);
    stack = await startTelemetryStack(infra);
  });

  const system = () => {
    if (!stack) throw new Error('the stack starts in before()');
    return stack;
  };

  let orderSagasStarted = 0;
  async function start(type: string, input: object, id: string): Promise<SagaRecord> {
    if (type === 'order') orderSagasStarted += 1;
    const outcome = await system().orchestrator.startSaga({ type, input: { ...input }, id });
    if (outcome.status !== 'started') throw new Error(`${id}: ${JSON.stringify(outcome)}`);
    return outcome.record;
  }

  async function settled(id: string): Promise<SagaRecord> {
    const record = await system().orchestrator.waitForResult(id, 90_000);
    if (!record || record.status === 'running') throw new Error(`${id} did not settle`);
    return record;
  }

  it('one saga, start to completion, is one trace tree that holds the participants’ handler spans', async () => {
    const id = `${infra.prefix}-traced`;
    const started = await start('order', order(0, { orderId: 'traced' }), id);
    const done = await settled(id);
    expect(done.status).to.equal('completed');
    const traceId = started.trace?.traceparent.split('-')[1];
    expect(traceId).to.match(/^[0-9a-f]{32}$/u);

    const spans = await eventually(
      'the outcome span',
      async () => {
        const ours = system()
          .spans()
          .filter((s) => s.spanContext().traceId === traceId);
        return ours.some((s) => s.name === 'saga order completed') ? ours : undefined;
      },
      PROMETHEUS_WAIT,
    );
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const roots = spans.filter((s) => !s.parentSpanContext);
    expect(roots.map((s) => s.name)).to.deep.equal(['saga order']);
    for (const span of spans) {
      if (span.parentSpanContext) {
        expect(byId.has(span.parentSpanContext.spanId), `parent of ${span.name}`).to.equal(true);
      }
    }
    const parentOf = (span: ReadableSpan) =>
      span.parentSpanContext ? byId.get(span.parentSpanContext.spanId) : undefined;
    for (const [participant, command, step] of [
      ['inventory', 'ReserveItems', 'reserveInventory'],
      ['payment', 'AuthorizePayment', 'authorizePayment'],
      ['shipping', 'ConfirmOrder', 'confirmOrder'],
    ] as const) {
      const handlers = spans.filter((s) => s.name === `${participant} ${command}`);
      expect(handlers, `${participant} handler spans`).to.have.length.greaterThan(0);
      for (const handler of handlers) {
        expect(handler.resource.attributes['service.name']).to.equal(
          `saga-participant-${participant}`,
        );
        expect(parentOf(handler)?.name).to.equal(`step ${step}`);
        expect(parentOf(parentOf(handler) as ReadableSpan)).to.equal(roots[0]);
      }
      // The orchestrator took in the reply under the participant's span.
      const replies = spans.filter((s) => s.name === `reply ${command}`);
      expect(replies.map((r) => parentOf(r)?.name)).to.include(`${participant} ${command}`);
    }
    const outcome = spans.find((s) => s.name === 'saga order completed');
    expect(outcome && parentOf(outcome)).to.equal(roots[0]);
  });

  it('serves every panel query of the committed dashboards from Prometheus scraping the services', async () => {
    prometheus = await startPrometheus(
      system().services.map((s) => ({ job: s.name, address: s.metricsAddress })),
      { ruleFiles: [ALERTS] },
    );
    const running = prometheus;
    const runStart = Date.now() / 1000;
    await eventually(
      'every target scraped',
      async () => {
        const health = await running.targetHealth();
        const all = system().services.every((s) => health[s.name] === 'up');
        return all ? health : undefined;
      },
      PROMETHEUS_WAIT,
    );

    // The run: completions (with transient shipping failures), refusals, a cancel, a saga left
    // waiting for approval, a parked saga, and the odd bad, duplicate and expired message.
    // Shipping fails a seeded 30 % of tries (the stack's SHIPPING_FAILURE_RATE), drawn per
    // command id and try, and the ids follow from the saga ids: enough orders that at least one
    // first confirm fails, so the handler-retries panel shows a retry (eight alone showed none
    // in about one run in twenty).
    const okIds = Array.from({ length: 8 }, (_, i) => `${infra.prefix}-ok-${i + 1}`);
    const firstConfirmFails = (sagaId: string) =>
      deterministicFraction(
        infra.prefix, // the stack's failure seed
        `${commandIdFor(sagaId, 'confirmOrder', 'action', 1)}#1`,
      ) < SHIPPING_FAILURE_RATE;
    while (!okIds.some(firstConfirmFails)) okIds.push(`${infra.prefix}-ok-${okIds.length + 1}`);
    const ids: string[] = [];
    for (const [i, id] of okIds.entries()) ids.push((await start('order', order(i + 1), id)).id);
    ids.push(
      (
        await start(
          'order',
          order(20, { items: [{ sku: 'SKU-RARE', quantity: 5 }] }),
          `${infra.prefix}-out-of-stock`,
        )
      ).id,
    );
    ids.push(
      (
        await start(
          'order',
          order(21, { customerId: 'customer-poor', amount: 500 }),
          `${infra.prefix}-declined`,
        )
      ).id,
    );
    const cancelled = await start('order', order(22, { amount: 20_000 }), `${infra.prefix}-cancel`);
    const waiting = await start('order', order(23, { amount: 30_000 }), `${infra.prefix}-waiting`);
    const parked = await start('probe', { probeId: 'p-1' }, `${infra.prefix}-probe`);

    await eventually(
      'the large order to wait for approval',
      async () => {
        const saga = await system().orchestrator.getSaga(cancelled.id);
        return saga?.record.state === 'awaitingApproval' ? saga : undefined;
      },
      PROMETHEUS_WAIT,
    );
    expect((await system().orchestrator.cancel(cancelled.id)).status).to.equal('applied');

    const outcomes = await Promise.all([...ids, cancelled.id, parked.id].map(settled));
    const statuses = new Map(outcomes.map((r) => [r.id, r.status]));
    expect(statuses.get(`${infra.prefix}-out-of-stock`)).to.equal('compensated');
    expect(statuses.get(`${infra.prefix}-declined`)).to.equal('compensated');
    expect(statuses.get(cancelled.id)).to.equal('cancelled');
    expect(statuses.get(parked.id)).to.equal('parked');
    expect([...statuses.values()].filter((s) => s === 'completed')).to.have.length.greaterThan(0);
    const stillWaiting = await system().orchestrator.getSaga(waiting.id);
    expect(stillWaiting?.record.state).to.equal('awaitingApproval');

    // Messages that go wrong: a malformed reply (orchestrator DLQ), a malformed command
    // (participant DLQ), a command delivered again (duplicate, its reply then ignored by the
    // ended saga), and a command past its deadline (expired).
    const producer = await infra.producer({ idempotent: true });
    await producer.send({
      topic: infra.topic('replies'),
      messages: [{ key: 'x', value: 'not json' }],
    });
    await producer.send({
      topic: infra.topic('inventory.commands'),
      messages: [{ key: 'x', value: '{"not":"a command"}' }],
    });
    const first = ids[0] as string;
    const now = Date.now();
    const command = (commandId: string, sagaId: string, expiresAt: number): CommandMessage => ({
      commandId,
      sagaId,
      sagaType: 'order',
      type: 'ReserveItems',
      payload: { orderId: 'order-1', customerId: 'customer-1', items: order(1).items },
      attempt: 1,
      issuedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      replyTopic: infra.topic('replies'),
    });
    const again = command(
      commandIdFor(first, 'reserveInventory', 'action', 1),
      first,
      now + 60_000,
    );
    const expired = command(`${infra.prefix}-expired-command`, first, now - 1_000);
    await producer.send({
      topic: infra.topic('inventory.commands'),
      messages: [again, expired].map((c) => ({
        key: c.sagaId,
        value: JSON.stringify(c),
        headers: {
          [HEADERS.contractVersion]: String(CONTRACT_VERSION),
          [HEADERS.sagaId]: c.sagaId,
          [HEADERS.sagaType]: c.sagaType,
          [HEADERS.commandId]: c.commandId,
          [HEADERS.messageType]: c.type,
        },
      })),
    });

    // The numbers behind a few panels are the run's, not just present: every series exists at 0
    // from start-up, so wait until Prometheus has scraped the run's last events (scrapes are
    // every second), then compare.
    const value = async (expr: string) =>
      Number((await running.query(expr)).data?.result[0]?.value[1] ?? Number.NaN);
    const runNumbers = async () => ({
      parked: await value('sum(saga_sagas_in_flight{saga_status="parked"})'),
      awaitingApproval: await value(
        'sum(saga_sagas_in_flight{saga_type="order",saga_state="awaitingApproval"})',
      ),
      orderSagasStarted: await value('sum(saga_sagas_started_total{saga_type="order"})'),
      expiredCommands: await value('sum(saga_participant_commands_expired_total)'),
      // The one command delivered again is the only duplicate; every first delivery was handled
      // (the inventory records its ledger entry in its own transaction, which is not a duplicate).
      inventoryDuplicates: await value(
        'sum(saga_participant_commands_duplicates_total{saga_participant="inventory"})',
      ),
      inventoryHandledEveryOrder:
        (await value(
          'sum(saga_participant_commands_handled_total{saga_participant="inventory"})',
        )) >= orderSagasStarted,
      // At least one first confirm failed (the order ids were chosen so), and was retried.
      shippingRetried:
        (await value('sum(saga_participant_handler_retries_total{saga_participant="shipping"})')) >=
        1,
      orchestratorDeadLetters: await value(
        'sum(saga_dlq_messages_total{saga_dlq_source="orchestrator.replies"})',
      ),
      inventoryDeadLetters: await value(
        'sum(saga_participant_commands_dead_lettered_total{saga_participant="inventory"})',
      ),
    });
    const expected = {
      parked: 1,
      awaitingApproval: 1,
      orderSagasStarted,
      expiredCommands: 1,
      inventoryDuplicates: 1,
      inventoryHandledEveryOrder: true,
      shippingRetried: true,
      orchestratorDeadLetters: 1,
      inventoryDeadLetters: 1,
    };
    let seen = await runNumbers();
    await eventually(
      "Prometheus to have scraped the run's numbers",
      async () => {
        seen = await runNumbers();
        return isDeepStrictEqual(seen, expected) ? seen : undefined;
      },
      { ...PROMETHEUS_WAIT, timeoutMs: 90_000, intervalMs: 1_000 },
    ).catch(() => undefined); // the comparison below says what differs
    expect(seen).to.deep.equal(expected);

    // Every query of every panel returns series.
    const queries = dashboardQueries(await readDashboards());
    expect(queries.length).to.be.greaterThan(40);
    const failing: string[] = [];
    for (const query of queries) {
      const result = await running.query(forPrometheus(query.expr));
      if (result.status !== 'success') {
        failing.push(`${query.where}: error ${result.error} in ${query.expr}`);
      } else if ((result.data?.result.length ?? 0) === 0) {
        failing.push(`${query.where}: no series for ${query.expr}`);
      }
    }
    expect(failing).to.deep.equal([]);
    // The parked-saga alert rule, loaded from dashboards/alerts.yaml, sees it too.
    await eventually(
      'the SagaParked alert to be pending or firing',
      async () => {
        const alerts = await running.query('ALERTS{alertname="SagaParked"}');
        return (alerts.data?.result.length ?? 0) > 0 ? alerts : undefined;
      },
      PROMETHEUS_WAIT,
    );

    // DASHBOARD_PREVIEW_DIR=<dir>: a minute more of traffic, then pictures of the dashboards.
    const previewDir = process.env.DASHBOARD_PREVIEW_DIR;
    if (previewDir) {
      for (let n = 100; n < 160; n++) {
        const id = `${infra.prefix}-load-${n}`;
        const rare = n % 10 === 0 ? { items: [{ sku: 'SKU-RARE', quantity: 5 }] } : {};
        await start('order', order(n, rare), id);
        await elapse(800); // pace the traffic over the minute the pictures show
      }
      await elapse(5_000); // let Prometheus scrape the last of it
      for (const dashboard of await readDashboards()) {
        await renderPreview(
          dashboard,
          rangeQuery(running.url),
          {
            start: runStart,
            end: Date.now() / 1000,
          },
          previewDir,
        );
      }
    }
  });
});
