/**
 * Series at 0 from start-up (issue 14): before anything happens, `/metrics` already holds every
 * label set known from the definitions, the engine and the contract, so a dashboard panel says
 * "No data" only when the service is not scraped.
 */
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { DLQ_ERROR_CODES, isEnded } from '../../../wire/contract/index.js';
import { openHistogramSeries } from '../../../wire/telemetry/instruments.js';
import {
  LABELS as L,
  ORCHESTRATOR_METRICS as M,
  PARTICIPANT_METRIC_DEFINITIONS as P,
  prometheusName,
} from '../../../wire/telemetry/metric-names.js';
import { setupTelemetry, type Telemetry } from '../../../orchestrator/telemetry/setup-telemetry.js';
import { sagaStatesOf } from '../../../orchestrator/telemetry/saga-states.js';
import {
  IGNORED_REASONS,
  ORCHESTRATOR_DLQ_SOURCES,
} from '../../../orchestrator/telemetry/zero-series.js';
import { participantMetrics } from '../../../participants/sdk/participant-metrics.js';
import orderSaga from '../../../sagas/order/index.js';
import { scrape, select, valueOf } from './scrape.js';

const environment = {
  disabled: false,
  tracesExporter: 'none',
  sampler: new AlwaysOffSampler(),
} as const;

describe('telemetry: every known series is reported at 0 from start-up', () => {
  let telemetry: Telemetry;
  afterEach(() => telemetry.shutdown());

  it('a histogram series opened with nothing recorded is served with zero counts, and later observations count from there (pins the SDK behaviour openHistogramSeries relies on)', async () => {
    telemetry = setupTelemetry({ serviceName: 'test', registerGlobal: false, environment });
    const histogram = telemetry.meter.createHistogram('probe.latency', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    openHistogramSeries(histogram, { 'probe.kind': 'a' });
    let samples = await scrape(telemetry);
    const kind = { probe_kind: 'a' };
    expect(valueOf(samples, 'probe_latency_count', kind)).to.equal(0);
    expect(valueOf(samples, 'probe_latency_sum', kind)).to.equal(0);
    expect(
      select(samples, 'probe_latency_bucket', kind).map((s) => [s.labels.le, s.value]),
    ).to.deep.equal([
      ['0.1', 0],
      ['1', 0],
      ['+Inf', 0],
    ]);

    histogram.record(0.5, { 'probe.kind': 'a' });
    samples = await scrape(telemetry);
    expect(valueOf(samples, 'probe_latency_count', kind)).to.equal(1);
    expect(valueOf(samples, 'probe_latency_sum', kind)).to.equal(0.5);
    expect(valueOf(samples, 'probe_latency_bucket', { ...kind, le: '1' })).to.equal(1);
  });

  it('the orchestrator serves ignored inputs, dead letters, timer lag and the oldest saga per state before any saga ran', async () => {
    telemetry = setupTelemetry({
      serviceName: 'test',
      registerGlobal: false,
      definitions: [orderSaga],
      environment,
    });
    // The store has no saga: the oldest-age source reads nothing.
    telemetry.observe({ oldestInState: async () => [], counts: async () => [] });
    const samples = await scrape(telemetry);

    const ignored = select(samples, prometheusName(M.inputsIgnored), { [L.sagaType]: 'order' });
    expect(ignored.map((s) => s.labels[L.ignoredReason]).sort()).to.deep.equal(
      [...IGNORED_REASONS].sort(),
    );
    expect(ignored.every((s) => s.value === 0)).to.equal(true);

    const dlq = select(samples, prometheusName(M.dlqMessages));
    expect(dlq).to.have.length(
      ORCHESTRATOR_DLQ_SOURCES.length * Object.values(DLQ_ERROR_CODES).length,
    );
    expect(dlq.every((s) => s.value === 0)).to.equal(true);
    expect(
      valueOf(samples, prometheusName(M.dlqMessages), {
        [L.dlqSource]: 'orchestrator.replies',
        [L.dlqCode]: DLQ_ERROR_CODES.invalid,
      }),
    ).to.equal(0);

    expect(valueOf(samples, `${prometheusName(M.timerLag)}_count`)).to.equal(0);
    expect(valueOf(samples, `${prometheusName(M.outboxLatency)}_count`)).to.equal(0);
    const reserve = {
      [L.sagaType]: 'order',
      [L.step]: 'reserveInventory',
      [L.stepKind]: 'action',
      [L.stepOutcome]: 'timeout',
    };
    expect(valueOf(samples, `${prometheusName(M.stepDuration)}_count`, reserve)).to.equal(0);

    // Every state a saga can be in without having ended, each once, at 0 s.
    const notEnded = sagaStatesOf(orderSaga.machine)
      .filter((s) => !isEnded(s.status))
      .map((s) => s.path);
    const oldest = select(samples, prometheusName(M.oldestInState), { [L.sagaType]: 'order' });
    expect(oldest.map((s) => s.labels[L.sagaState]).sort()).to.deep.equal(notEnded.sort());
    expect(notEnded).to.include('awaitingApproval');
    expect(oldest.every((s) => s.value === 0)).to.equal(true);
  });

  it('the oldest-age gauge reports a real age over the 0 of its state', async () => {
    const now = Date.UTC(2026, 0, 1, 12);
    telemetry = setupTelemetry({
      serviceName: 'test',
      registerGlobal: false,
      definitions: [orderSaga],
      environment,
    });
    telemetry.observe({
      now: () => now,
      oldestInState: async () => [
        { type: 'order', state: 'awaitingApproval', status: 'running', createdAt: now - 90_000 },
      ],
    });
    const name = prometheusName(M.oldestInState);
    const samples = await scrape(telemetry);
    expect(select(samples, name, { [L.sagaState]: 'awaitingApproval' })).to.have.length(1);
    expect(valueOf(samples, name, { [L.sagaState]: 'awaitingApproval' })).to.equal(90);
    expect(valueOf(samples, name, { [L.sagaState]: 'parked' })).to.equal(0);
  });

  it('a store that cannot be read gives no oldest-age series at all: "No data", not a reassuring 0', async () => {
    telemetry = setupTelemetry({
      serviceName: 'test',
      registerGlobal: false,
      definitions: [orderSaga],
      environment,
    });
    telemetry.observe({
      timeoutMs: 50,
      oldestInState: async () => {
        throw new Error('redis down');
      },
    });
    expect(select(await scrape(telemetry), prometheusName(M.oldestInState))).to.have.length(0);
  });

  it('a participant serves duplicates, expired commands, retries and dead letters at 0 for its command types', async () => {
    telemetry = setupTelemetry({ serviceName: 'test', registerGlobal: false, environment });
    participantMetrics('inventory', telemetry.meter, ['ReserveItems', 'ReleaseItems']);
    const samples = await scrape(telemetry);
    for (const metric of [P.duplicates, P.expired, P.retries, P.handled, P.failed]) {
      const series = select(samples, prometheusName(metric), { [L.participant]: 'inventory' });
      expect(
        [...new Set(series.map((s) => s.labels[L.commandType]))].sort(),
        metric.name,
      ).to.deep.equal(['ReleaseItems', 'ReserveItems']);
      expect(
        series.every((s) => s.value === 0),
        metric.name,
      ).to.equal(true);
    }
    expect(
      valueOf(samples, `${prometheusName(P.handlerDuration)}_count`, {
        [L.commandType]: 'ReserveItems',
      }),
    ).to.equal(0);
    const dead = select(samples, prometheusName(P.deadLettered), { [L.participant]: 'inventory' });
    expect(dead.map((s) => s.labels[L.dlqCode]).sort()).to.deep.equal(
      Object.values(DLQ_ERROR_CODES).sort(),
    );
    expect(dead.every((s) => s.value === 0)).to.equal(true);
  });
});
