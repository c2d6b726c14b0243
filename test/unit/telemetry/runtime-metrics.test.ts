import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import {
  LABELS as L,
  ORCHESTRATOR_METRICS as M,
  prometheusName,
} from '../../../wire/telemetry/metric-names.js';
import { setupTelemetry, type Telemetry } from '../../../orchestrator/telemetry/setup-telemetry.js';
import { SagaDriver, order } from './drive-saga.js';
import { scrape, select, valueOf } from './scrape.js';

describe('telemetry: runtime metrics from written steps', () => {
  let telemetry: Telemetry;

  beforeEach(() => {
    telemetry = setupTelemetry({
      serviceName: 'test-orchestrator',
      registerGlobal: false,
      environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOffSampler() },
    });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('counts starts and outcomes by type, and applied inputs by kind', async () => {
    const completed = new SagaDriver(telemetry.hooks, { sagaId: 'a' });
    completed.advance(20).succeed('reserveInventory');
    completed.advance(30).succeed('authorizePayment');
    completed.advance(40).succeed('confirmOrder');
    expect(completed.record.status).to.equal('completed');

    const compensated = new SagaDriver(telemetry.hooks, { sagaId: 'b' });
    compensated.advance(10).fail('reserveInventory', 'OUT_OF_STOCK');
    expect(compensated.record.status).to.equal('compensated');

    const samples = await scrape(telemetry);
    const type = { [L.sagaType]: 'order' };
    expect(valueOf(samples, prometheusName(M.sagasStarted), type)).to.equal(2);
    expect(
      valueOf(samples, prometheusName(M.sagaOutcomes), { ...type, [L.sagaStatus]: 'completed' }),
    ).to.equal(1);
    expect(
      valueOf(samples, prometheusName(M.sagaOutcomes), { ...type, [L.sagaStatus]: 'compensated' }),
    ).to.equal(1);
    expect(
      valueOf(samples, prometheusName(M.inputsApplied), { ...type, [L.inputKind]: 'start' }),
    ).to.equal(2);
    expect(
      valueOf(samples, prometheusName(M.inputsApplied), { ...type, [L.inputKind]: 'reply' }),
    ).to.equal(4);
  });

  it('records step durations from issue to reply, by step, participant, command and outcome', async () => {
    const saga = new SagaDriver(telemetry.hooks);
    saga.advance(250).succeed('reserveInventory');
    saga.advance(1500).fail('authorizePayment', 'CARD_DECLINED');

    const samples = await scrape(telemetry);
    const histogram = prometheusName(M.stepDuration);
    const reserve = {
      [L.sagaType]: 'order',
      [L.step]: 'reserveInventory',
      [L.stepKind]: 'action',
      [L.participant]: 'inventory',
      [L.commandType]: 'ReserveItems',
      [L.stepOutcome]: 'success',
    };
    expect(valueOf(samples, `${histogram}_count`, reserve)).to.equal(1);
    expect(valueOf(samples, `${histogram}_sum`, reserve)).to.equal(0.25);
    // 0.25 s falls in the 0.25 bucket (le is inclusive) and not in the 0.1 one.
    expect(valueOf(samples, `${histogram}_bucket`, { ...reserve, le: '0.25' })).to.equal(1);
    expect(valueOf(samples, `${histogram}_bucket`, { ...reserve, le: '0.1' })).to.equal(0);

    const declined = {
      [L.step]: 'authorizePayment',
      [L.commandType]: 'AuthorizePayment',
      [L.stepOutcome]: 'failure',
    };
    expect(valueOf(samples, `${histogram}_sum`, declined)).to.equal(1.5);
    // The compensation (ReleaseItems) is still waiting for its reply: not measured yet.
    expect(select(samples, `${histogram}_count`, { [L.stepKind]: 'compensation' })).to.have.length(
      0,
    );
  });

  it('counts retries and timeouts, and measures the timed-out step as a timeout', async () => {
    const saga = new SagaDriver(telemetry.hooks);
    saga.fireNextTimer(); // the reserve step's deadline: attempt 1 times out
    saga.fireNextTimer(); // the back-off ends: attempt 2 is sent
    expect(saga.pending('reserveInventory').attempt).to.equal(2);

    const samples = await scrape(telemetry);
    const reserve = { [L.step]: 'reserveInventory', [L.stepKind]: 'action' };
    expect(valueOf(samples, prometheusName(M.stepTimeouts), reserve)).to.equal(1);
    expect(valueOf(samples, prometheusName(M.stepRetries), reserve)).to.equal(1);
    expect(valueOf(samples, prometheusName(M.commandsSent), reserve)).to.equal(2);
    expect(
      valueOf(samples, `${prometheusName(M.stepDuration)}_count`, {
        ...reserve,
        [L.stepOutcome]: 'timeout',
      }),
    ).to.equal(1);
  });

  it('measures the time spent in a state when the saga leaves it', async () => {
    const saga = new SagaDriver(telemetry.hooks, { input: { ...order, amount: 50_000 } });
    saga.advance(10).succeed('reserveInventory');
    saga.advance(10).succeed('authorizePayment');
    expect(saga.record.state).to.equal('awaitingApproval');
    saga.advance(120_000).signal('order.approve');

    const samples = await scrape(telemetry);
    const waited = { [L.sagaType]: 'order', [L.sagaState]: 'awaitingApproval' };
    expect(valueOf(samples, `${prometheusName(M.stateDuration)}_sum`, waited)).to.equal(120);
    expect(
      valueOf(samples, `${prometheusName(M.stateDuration)}_sum`, {
        [L.sagaState]: 'reserveInventory.attempting',
      }),
    ).to.equal(0.01);
  });

  it('counts ignored inputs by reason, timer lag, outbox latency and dead letters', async () => {
    const saga = new SagaDriver(telemetry.hooks);
    const reserve = saga.pending('reserveInventory');
    saga.succeed('reserveInventory');
    // The same reply again: a duplicate, ignored by the engine.
    saga.apply({
      kind: 'reply',
      reply: {
        commandId: reserve.commandId,
        sagaId: 'saga-1',
        type: 'ReserveItems',
        outcome: 'success',
      },
    });
    telemetry.hooks.timerClaimed?.({ shard: 3, dueAt: 10_000, claimedAt: 10_040 });
    telemetry.hooks.outboxPublished?.({ shard: 1, count: 2, latenciesMs: [5, 20] });
    telemetry.hooks.deadLettered?.({ source: 'orchestrator', topic: 'saga.dlq', code: 'UNKNOWN' });

    const samples = await scrape(telemetry);
    expect(
      valueOf(samples, prometheusName(M.inputsIgnored), {
        [L.sagaType]: 'order',
        [L.ignoredReason]: 'not-pending',
      }),
    ).to.equal(1);
    expect(valueOf(samples, `${prometheusName(M.timerLag)}_sum`)).to.equal(0.04);
    expect(valueOf(samples, `${prometheusName(M.outboxLatency)}_count`)).to.equal(2);
    expect(valueOf(samples, `${prometheusName(M.outboxLatency)}_sum`)).to.equal(0.025);
    expect(
      valueOf(samples, prometheusName(M.dlqMessages), {
        [L.dlqSource]: 'orchestrator',
        [L.dlqCode]: 'UNKNOWN',
      }),
    ).to.equal(1);
  });

  it('never labels a metric with a saga id or command id', async () => {
    const saga = new SagaDriver(telemetry.hooks, { sagaId: 'saga-with-unique-id' });
    saga.advance(5).succeed('reserveInventory');
    const samples = await scrape(telemetry);
    const ours = samples.filter((s) => s.name.startsWith('saga_'));
    expect(ours.length).to.be.greaterThan(10);
    for (const sample of ours) {
      expect(Object.keys(sample.labels)).not.to.include.members([L.sagaId, L.commandId]);
      expect(Object.values(sample.labels)).not.to.include('saga-with-unique-id');
    }
  });
});
