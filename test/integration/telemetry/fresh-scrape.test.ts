/**
 * Issue 14: in a healthy system every dashboard panel has a value. A fresh scrape of the real
 * orchestrator and the real example participants (real Kafka and Redis), before any saga and
 * again after a saga completed with nothing going wrong, holds every series name the committed
 * dashboards query — the list is read from the dashboards, so a new panel is covered too.
 * Before issue 14 eight were missing (dead letters, ignored inputs, timer lag, oldest saga per
 * state, and the participants' dead letters, duplicates, expired commands and retries).
 */
import { expect } from 'chai';
import { LABELS as L } from '../../../wire/telemetry/metric-names.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import {
  dashboardMetricNames,
  readDashboards,
} from '../../tooling/dashboards/dashboard-queries.js';
import { parseSamples, type Sample } from '../../unit/telemetry/scrape.js';
import { startTelemetryStack, type TelemetryStack } from './support/telemetry-stack.js';

async function scrapeAll(stack: TelemetryStack): Promise<Map<string, Sample[]>> {
  const byService = new Map<string, Sample[]>();
  for (const service of stack.services) {
    const response = await fetch(`http://${service.metricsAddress}/metrics`);
    expect(response.status, service.name).to.equal(200);
    byService.set(service.name, parseSamples(await response.text()));
  }
  return byService;
}

function missingNames(wanted: readonly string[], scraped: Map<string, Sample[]>): string[] {
  const present = new Set([...scraped.values()].flat().map((s) => s.name));
  return wanted.filter((name) => !present.has(name));
}

describe('telemetry: a fresh scrape of the running system has every series the dashboards query', function () {
  this.timeout(180_000);
  let stack: TelemetryStack | undefined;

  // Before useInfra, so that it runs first: the stack needs Kafka and Redis to stop.
  after(async function () {
    this.timeout(120_000);
    await stack?.stop();
  });

  const infra = useInfra('fresh-scrape');

  before(async function () {
    this.timeout(120_000);
    stack = await startTelemetryStack(infra, { shippingFailureRate: 0 });
  });

  const system = () => {
    if (!stack) throw new Error('the stack starts in before()');
    return stack;
  };

  it('before any saga ran', async () => {
    const wanted = dashboardMetricNames(await readDashboards());
    expect(wanted.length).to.be.greaterThan(15);
    // The eight names the issue found missing are among those the dashboards query.
    expect(wanted).to.include.members([
      'saga_dlq_messages_total',
      'saga_inputs_ignored_total',
      'saga_timer_lag_bucket',
      'saga_sagas_oldest_age',
      'saga_participant_commands_dead_lettered_total',
      'saga_participant_commands_duplicates_total',
      'saga_participant_commands_expired_total',
      'saga_participant_handler_retries_total',
    ]);
    const scraped = await scrapeAll(system());
    expect(missingNames(wanted, scraped)).to.deep.equal([]);
    // Each participant serves its own series (not one participant standing in for all).
    for (const participant of ['inventory', 'payment', 'shipping']) {
      const own = scraped.get(`saga-participant-${participant}`) ?? [];
      const names = new Set(own.map((s) => s.name));
      for (const name of wanted.filter((n) => n.startsWith('saga_participant_'))) {
        expect(names, `${participant}: ${name}`).to.include(name);
      }
      expect(own.some((s) => s.labels[L.participant] === participant)).to.equal(true);
    }
  });

  it('after an order completed with nothing going wrong, every series is still there and the trouble counters are 0', async () => {
    const id = `${infra.prefix}-healthy`;
    const outcome = await system().orchestrator.startSaga({
      type: 'order',
      id,
      input: {
        orderId: 'healthy',
        customerId: 'customer-1',
        items: [{ sku: 'SKU-1', quantity: 1 }],
        amount: 10,
        currency: 'EUR',
      },
    });
    expect(outcome.status).to.equal('started');
    const done: SagaRecord | undefined = await system().orchestrator.waitForResult(id, 60_000);
    expect(done?.status).to.equal('completed');

    const wanted = dashboardMetricNames(await readDashboards());
    const scraped = await scrapeAll(system());
    expect(missingNames(wanted, scraped)).to.deep.equal([]);
    const all = [...scraped.values()].flat();
    const total = (name: string) =>
      all.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    for (const name of [
      'saga_dlq_messages_total',
      'saga_participant_commands_dead_lettered_total',
      'saga_participant_commands_duplicates_total',
      'saga_participant_commands_expired_total',
      'saga_participant_handler_retries_total',
      'saga_timer_lag_count',
    ]) {
      expect(total(name), name).to.equal(0);
    }
    // …while the saga itself was counted.
    expect(total('saga_sagas_started_total')).to.equal(1);
    expect(total('saga_participant_commands_handled_total')).to.be.at.least(3);
  });
});
