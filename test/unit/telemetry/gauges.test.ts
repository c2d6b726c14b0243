import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import {
  LABELS as L,
  ORCHESTRATOR_METRICS as M,
  prometheusName,
} from '../../../wire/telemetry/metric-names.js';
import { setupTelemetry, type Telemetry } from '../../../orchestrator/telemetry/setup-telemetry.js';
import orderSaga from '../../../sagas/order/index.js';
import { eventually } from '../../support/eventually.js';
import { scrape, select, valueOf } from './scrape.js';
import { freePort } from '../../support/free-port.js';

describe('telemetry: gauges read at collection', () => {
  let telemetry: Telemetry;
  const now = Date.UTC(2026, 0, 1, 12);

  beforeEach(() => {
    telemetry = setupTelemetry({
      serviceName: 'test',
      registerGlobal: false,
      definitions: [orderSaga],
      environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOffSampler() },
    });
  });
  afterEach(() => telemetry.shutdown());

  it('reports sagas in flight per state, every known state included as 0, ended ones left out', async () => {
    telemetry.observe({
      now: () => now,
      counts: async () => [
        { type: 'order', state: 'awaitingApproval', status: 'running', count: 3 },
        { type: 'order', state: 'parked', status: 'parked', count: 1 },
        { type: 'order', state: 'completed', status: 'completed', count: 40 },
      ],
    });
    const samples = await scrape(telemetry);
    const inFlight = prometheusName(M.sagasInFlight);
    expect(valueOf(samples, inFlight, { [L.sagaState]: 'awaitingApproval' })).to.equal(3);
    expect(
      valueOf(samples, inFlight, { [L.sagaState]: 'parked', [L.sagaStatus]: 'parked' }),
    ).to.equal(1);
    expect(valueOf(samples, inFlight, { [L.sagaState]: 'confirmOrder.retrying' })).to.equal(0);
    expect(select(samples, inFlight, { [L.sagaState]: 'completed' })).to.have.length(0);
    // Every running or parked state of the order saga, once.
    expect(select(samples, inFlight)).to.have.length(11);
  });

  it('reports the oldest saga per state, timers, outbox and consumer lag per topic', async () => {
    telemetry.observe({
      now: () => now,
      oldestInState: async () => [
        { type: 'order', state: 'awaitingApproval', status: 'running', createdAt: now - 90_000 },
      ],
      pendingTimers: async () => 7,
      nextTimerDueAt: async () => now - 2_500,
      outboxBacklog: async () => 12,
      consumerLag: [
        {
          groupId: 'saga.orchestrator',
          fetch: async () => [
            {
              topic: 'saga.replies',
              partition: 0,
              lag: 4,
              highWatermark: '9',
              lowWatermark: '0',
              committedOffset: '5',
            },
            {
              topic: 'saga.replies',
              partition: 1,
              lag: 6,
              highWatermark: '6',
              lowWatermark: '0',
              committedOffset: null,
            },
            {
              topic: 'saga.requests',
              partition: 0,
              lag: 0,
              highWatermark: '1',
              lowWatermark: '0',
              committedOffset: '1',
            },
          ],
        },
      ],
    });
    const samples = await scrape(telemetry);
    expect(
      valueOf(samples, prometheusName(M.oldestInState), { [L.sagaState]: 'awaitingApproval' }),
    ).to.equal(90);
    expect(valueOf(samples, prometheusName(M.timersPending))).to.equal(7);
    expect(valueOf(samples, prometheusName(M.timersOverdue))).to.equal(2.5);
    expect(valueOf(samples, prometheusName(M.outboxBacklog))).to.equal(12);
    const lag = prometheusName(M.consumerLag);
    const group = { [L.consumerGroup]: 'saga.orchestrator' };
    expect(valueOf(samples, lag, { ...group, [L.messagingDestination]: 'saga.replies' })).to.equal(
      10,
    );
    expect(valueOf(samples, lag, { ...group, [L.messagingDestination]: 'saga.requests' })).to.equal(
      0,
    );
  });

  it('reports no overdue time when no timer is due yet or none is armed', async () => {
    let next: number | undefined = now + 60_000;
    telemetry.observe({ now: () => now, nextTimerDueAt: async () => next });
    expect(valueOf(await scrape(telemetry), prometheusName(M.timersOverdue))).to.equal(0);
    next = undefined;
    expect(valueOf(await scrape(telemetry), prometheusName(M.timersOverdue))).to.equal(0);
  });

  it('leaves out a source that fails or hangs and still serves the others', async () => {
    telemetry.observe({
      now: () => now,
      timeoutMs: 50,
      outboxBacklog: async () => {
        throw new Error('redis down');
      },
      pendingTimers: () => new Promise<number>(() => undefined),
      nextTimerDueAt: async () => {
        throw new Error('redis down');
      },
      counts: async () => [{ type: 'order', state: 'parked', status: 'parked', count: 2 }],
    });
    const samples = await scrape(telemetry);
    expect(select(samples, prometheusName(M.outboxBacklog))).to.have.length(0);
    expect(select(samples, prometheusName(M.timersPending))).to.have.length(0);
    expect(select(samples, prometheusName(M.timersOverdue))).to.have.length(0);
    expect(valueOf(samples, prometheusName(M.sagasInFlight), { [L.sagaState]: 'parked' })).to.equal(
      2,
    );
  });

  it('reports every state of the definitions with zero entries from the start', async () => {
    const samples = await scrape(telemetry);
    const entries = select(samples, prometheusName(M.stateEntries), { [L.sagaType]: 'order' });
    expect(entries.map((s) => s.labels[L.sagaState])).to.include.members([
      'reserveInventory.attempting',
      'parked',
      'completed',
      'cancelled',
    ]);
    expect(entries.every((s) => s.value === 0)).to.equal(true);
  });
});

describe('telemetry: metrics on a port of their own (participant processes)', () => {
  it('serves the Prometheus text on the given port until shut down', async () => {
    const port = await freePort();
    const telemetry = setupTelemetry({
      serviceName: 'saga-participant-test',
      registerGlobal: false,
      metricsServer: { port, host: '127.0.0.1' },
      environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOffSampler() },
    });
    try {
      telemetry.observe({ outboxBacklog: async () => 3 });
      const text = await waitForText(`http://127.0.0.1:${port}/metrics`);
      expect(text).to.match(/^saga_outbox_backlog\{[^}]*\} 3$/mu);
      expect(text).to.match(/service_name="saga-participant-test"/u);
    } finally {
      await telemetry.shutdown();
    }
    const after = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      () => 'answered',
      () => 'closed',
    );
    expect(after).to.equal('closed');
  });
});

/** The exporter starts listening asynchronously: connection refused means "not yet". */
function waitForText(url: string): Promise<string> {
  return eventually(`an answer from ${url}`, async () => (await fetch(url)).text(), {
    timeoutMs: 10_000,
    intervalMs: 20,
    retryOn: () => true,
  });
}
