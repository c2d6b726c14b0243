import { expect } from 'chai';
import type { SagaView } from '../../../orchestrator/api/saga-view.js';
import { outcomeOf, percentile, Tally, type SagaOutcome } from '../../../scripts/demo/outcomes.js';
import type { ParticipantReport } from '../../../scripts/demo/participant-check.js';
import { buildShop } from '../../../scripts/demo/shop.js';
import { renderSummary, verdictOf, type RunReport } from '../../../scripts/demo/summary.js';

function view(overrides: Partial<SagaView>): SagaView {
  return {
    id: 'order-1',
    type: 'order',
    version: '1',
    revision: 9,
    status: 'completed',
    state: 'completed',
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:01.250Z',
    context: {},
    pending: [],
    timers: [],
    waitingFor: { summary: [], events: [], canCancel: false, canRetry: false },
    history: [],
    historyPage: { offset: 0, limit: 200, total: 0, dropped: 0 },
    ...overrides,
  };
}

const entry = (kind: SagaView['history'][number]['kind'], extra: object = {}) => ({
  at: '2026-11-26T10:00:00.500Z',
  kind,
  summary: kind,
  ...extra,
});

function outcome(status: SagaOutcome['status'], n: number, extra: Partial<SagaOutcome> = {}) {
  return {
    n,
    orderId: `ord-${n}`,
    sagaId: `order-${n}`,
    status,
    reason: undefined,
    failedStep: undefined,
    latencyMs: 100 * n,
    retries: 0,
    timeouts: 0,
    approval: undefined,
    parkedRetries: 0,
    ...extra,
  } satisfies SagaOutcome;
}

const healthy: ParticipantReport = {
  violations: [],
  disagreements: [],
  held: { reservations: 2, authorizations: 2, shipments: 2 },
  scarce: [{ sku: 'SKU-LTD-SNEAKER', seeded: 3, wanted: 6, left: 0 }],
  tightCredit: { used: 100, limit: 120 },
  confirmsRefused: 0,
};

function report(outcomes: SagaOutcome[], extra: Partial<RunReport> = {}): RunReport {
  const tally = new Tally();
  tally.started = outcomes.length;
  for (const o of outcomes) tally.record(o);
  return {
    prefix: 'demo-20261126-100000-abcd',
    requested: outcomes.length,
    seconds: 2,
    tally,
    approvals: { approved: 1, rejected: 0, threshold: 2000, approveUpTo: 4000 },
    shop: buildShop({ orders: 20, seed: 't', approvalThreshold: 2000 }),
    shipping: { slowRate: 0.04, slowDelayMs: 4000 },
    stepTimeoutMs: 2500,
    participants: healthy,
    apiUrl: 'http://127.0.0.1:8080',
    serve: false,
    tokenSet: false,
    interrupted: false,
    ...extra,
  };
}

describe('demo summary: outcomes, verdict and the printed summary', () => {
  it('reads an outcome from the saga: latency, retries, deadlines, approval, failure', () => {
    const compensated = outcomeOf(
      { n: 7, orderId: 'ord-7' },
      view({
        status: 'compensated',
        state: 'compensated',
        context: {
          failure: { code: 'APPROVAL_REJECTED', message: 'too big' },
          steps: { reserveInventory: { attempt: 1 }, confirmOrder: { attempt: 3 } },
        },
        history: [
          entry('timer', { step: 'confirmOrder' }),
          entry('timer', { step: 'confirmOrder' }),
          entry('timer'), // a backoff, not a deadline
          entry('signal', { data: { type: 'order.reject' } }),
        ],
      }),
      1,
    );
    expect(compensated).to.deep.include({
      n: 7,
      orderId: 'ord-7',
      status: 'compensated',
      reason: 'APPROVAL_REJECTED',
      failedStep: undefined,
      latencyMs: 1250,
      retries: 2,
      timeouts: 2,
      approval: 'rejected',
      parkedRetries: 1,
    });
    const completed = outcomeOf(
      { n: 1, orderId: 'ord-1' },
      view({ context: { failure: { code: 'X' } } }),
      0,
    );
    expect(completed.reason, 'a completed saga has no failure reason').to.equal(undefined);
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).to.equal(50);
    expect(percentile(values, 99)).to.equal(99);
    expect(percentile([5], 99)).to.equal(5);
    expect(percentile([], 50)).to.equal(undefined);
  });

  it('passes a run whose sagas all ended and whose participants agree', () => {
    const run = report([
      outcome('completed', 1),
      outcome('completed', 2),
      outcome('compensated', 3, { reason: 'OUT_OF_STOCK', failedStep: 'reserveInventory' }),
    ]);
    const verdict = verdictOf(run);
    expect(verdict).to.deep.equal({ ok: true, reasons: [] });
    const text = renderSummary(run, verdict);
    expect(text).to.match(/│ completed\s+│ 2\s+│ 66\.7 %/);
    expect(text).to.match(
      /│ compensated │ OUT_OF_STOCK │ reserveInventory │ 1\s+│ inventory: a scarce SKU was sold out/,
    );
    expect(text).to.match(/│ all\s+│ 3\s+│ 100\.0 %/);
    expect(text).to.contain("curl -s 'http://127.0.0.1:8080/v1/sagas?status=parked'");
    expect(text).to.contain('curl -s http://127.0.0.1:8080/v1/sagas/order-3   (a compensated one)');
    expect(text).to.match(/Result: OK: all 3 sagas ended/);
  });

  it('fails a run with a saga still parked, naming it', () => {
    const verdict = verdictOf(report([outcome('completed', 1), outcome('parked', 2)]));
    expect(verdict.ok).to.equal(false);
    expect(verdict.reasons.join('; ')).to.contain('1 saga(s) did not end: 1 parked (e.g. order-2)');
  });

  it('fails a run whose participants break an invariant or disagree with the sagas', () => {
    const broken = verdictOf(
      report([outcome('completed', 1)], {
        participants: {
          ...healthy,
          violations: ['inventory: SKU-1: stock 3 + reserved 1 != initial 5'],
          disagreements: ['1 order(s) that did not complete still hold a reservation: ord-9'],
        },
      }),
    );
    expect(broken.ok).to.equal(false);
    expect(broken.reasons[0]).to.contain('participant invariants violated: inventory: SKU-1');
    expect(broken.reasons[1]).to.contain('participants disagree with the sagas');
    const unchecked = verdictOf(report([outcome('completed', 1)], { participants: undefined }));
    expect(unchecked.reasons).to.deep.equal(['the participants were not checked']);
  });

  it('fails an interrupted run and one with sagas never followed to the end', () => {
    const interrupted = verdictOf(
      report([outcome('completed', 1)], {
        interrupted: true,
        requested: 10,
        participants: undefined,
      }),
    );
    expect(interrupted.reasons[0]).to.contain('interrupted');
    const missing = verdictOf(report([outcome('completed', 1)], { requested: 3 }));
    expect(missing.reasons).to.deep.equal(['2 saga(s) were never followed to the end']);
  });
});
