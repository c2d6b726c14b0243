/**
 * The summary printed at the end of a run: outcomes by status with their latencies, why sagas
 * did not complete, retries and timeouts, the participants' checks, where to look, and the
 * verdict that decides the exit code.
 */
import { table } from '../../cli/format/table.js';
import type { ShippingBehaviour } from '../../participants/examples/index.js';
import { ENDED, latencyStats, type DemoStatus, type Tally } from './outcomes.js';
import type { ParticipantReport } from './participant-check.js';
import type { Shop } from './shop.js';

export interface RunReport {
  prefix: string;
  requested: number;
  seconds: number;
  tally: Tally;
  approvals: { approved: number; rejected: number; threshold: number; approveUpTo: number };
  shop: Shop;
  shipping: ShippingBehaviour;
  stepTimeoutMs: number;
  participants: ParticipantReport | undefined;
  apiUrl: string;
  serve: boolean;
  tokenSet: boolean;
  interrupted: boolean;
}

export interface Verdict {
  ok: boolean;
  /** Why the run failed (empty when ok). */
  reasons: string[];
}

/** The exit code's reasons: every saga ended (parked is not ended) and the participants agree. */
export function verdictOf(report: RunReport): Verdict {
  const { tally, requested } = report;
  const reasons: string[] = [];
  if (report.interrupted) reasons.push('interrupted (Ctrl-C) before every saga ended');
  const notEnded = tally.outcomes.filter((o) => !ENDED.has(o.status));
  const missing = requested - tally.finished;
  if (missing > 0 && !report.interrupted)
    reasons.push(`${missing} saga(s) were never followed to the end`);
  if (notEnded.length > 0) {
    const byStatus = countBy(notEnded.map((o) => o.status));
    reasons.push(
      `${notEnded.length} saga(s) did not end: ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}` +
        ` (e.g. ${notEnded
          .slice(0, 3)
          .map((o) => o.sagaId ?? o.orderId)
          .join(', ')})`,
    );
  }
  const participants = report.participants;
  if (!participants) reasons.push('the participants were not checked');
  else {
    if (participants.violations.length > 0) {
      reasons.push(
        `participant invariants violated: ${participants.violations.slice(0, 5).join('; ')}`,
      );
    }
    if (participants.disagreements.length > 0) {
      reasons.push(
        `participants disagree with the sagas: ${participants.disagreements.join('; ')}`,
      );
    }
  }
  return { ok: reasons.length === 0, reasons };
}

const STATUS_ORDER: DemoStatus[] = [
  'completed',
  'compensated',
  'cancelled',
  'failed',
  'parked',
  'running',
  'unfinished',
  'not-started',
];

/** Where a failure code comes from, for people reading the summary. */
const REASON_NOTES: Record<string, string> = {
  OUT_OF_STOCK: 'inventory: a scarce SKU was sold out',
  DECLINED: "payment: the customer's credit limit was used up",
  APPROVAL_REJECTED: 'the demo operator rejected a bulk order',
  APPROVAL_TIMED_OUT: 'nobody decided on a bulk order in time',
  STEP_TIMED_OUT: 'every attempt of the step passed its deadline',
  CARRIER_UNAVAILABLE: 'shipping failed transiently on every try',
  ORDER_CANCELLED: 'shipping refused a confirm of a cancelled order',
};

const int = (n: number) => n.toLocaleString('en-US');
const ms = (n: number | undefined) => (n === undefined ? '–' : int(Math.round(n)));
const seconds = (n: number | undefined) => (n === undefined ? '–' : `${(n / 1000).toFixed(1)} s`);
const share = (n: number, of: number) => (of === 0 ? '–' : `${((100 * n) / of).toFixed(1)} %`);

export function renderSummary(report: RunReport, verdict: Verdict): string {
  const { tally, shop, approvals, participants } = report;
  const out: string[] = [];
  const total = tally.finished;
  const throughput = report.seconds > 0 ? total / report.seconds : 0;
  out.push('');
  out.push(
    `Demo run ${report.prefix}: ${int(tally.started)} of ${int(report.requested)} order sagas ` +
      `started through the HTTP API; ${int(total)} at rest after ${report.seconds.toFixed(1)} s ` +
      `(${throughput.toFixed(1)} sagas/s).`,
  );

  out.push('', 'Outcomes (latency: the saga’s own start → end, in ms)');
  const statusRows = STATUS_ORDER.filter((s) => tally.count(s) > 0).map((status) => {
    const stats = latencyStats(
      tally.outcomes
        .filter((o) => o.status === status && o.latencyMs !== undefined)
        .map((o) => o.latencyMs ?? 0),
    );
    return [
      status,
      int(tally.count(status)),
      share(tally.count(status), total),
      ms(stats.p50),
      ms(stats.p99),
      ms(stats.max),
    ];
  });
  const all = latencyStats(
    tally.outcomes.flatMap((o) => (o.latencyMs === undefined ? [] : [o.latencyMs])),
  );
  statusRows.push(['all', int(total), share(total, total), ms(all.p50), ms(all.p99), ms(all.max)]);
  out.push(table(['status', 'sagas', 'share', 'p50', 'p99', 'max'], statusRows));

  const reasons = tally.reasons();
  if (reasons.length > 0) {
    out.push('', 'Why sagas did not complete');
    out.push(
      table(
        ['status', 'reason', 'failed step', 'sagas', 'where it comes from'],
        reasons.map((r) => [
          r.status,
          r.reason,
          r.step || '–',
          int(r.count),
          REASON_NOTES[r.reason] ?? '',
        ]),
      ),
    );
  }

  const timedOut = tally.outcomes.filter((o) => o.timeouts > 0);
  const retried = tally.outcomes.filter((o) => o.retries > 0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  out.push('', 'Retries, timeouts, approvals');
  out.push(
    table(
      ['what', 'count', 'note'],
      [
        [
          'step deadlines missed',
          int(sum(timedOut.map((o) => o.timeouts))),
          `in ${int(timedOut.length)} sagas: ${(100 * (report.shipping.slowRate ?? 0)).toFixed(0)} % of shipping ` +
            `confirms take ${seconds(report.shipping.slowDelayMs)} (deadline ${seconds(report.stepTimeoutMs)}); ` +
            'commands queued behind one on its partition wait too',
        ],
        [
          'step retries',
          int(sum(retried.map((o) => o.retries))),
          `in ${int(retried.length)} sagas, ${int(retried.filter((o) => o.status === 'completed').length)} of them completed after it`,
        ],
        [
          'bulk orders approved',
          int(approvals.approved),
          `by the demo's operator (POST /v1/sagas/:id/events): ${int(approvals.threshold)} < amount ≤ ${int(approvals.approveUpTo)} EUR`,
        ],
        [
          'bulk orders rejected',
          int(approvals.rejected),
          `amount > ${int(approvals.approveUpTo)} EUR`,
        ],
        [
          'parked sagas retried',
          int(sum(tally.outcomes.map((o) => o.parkedRetries))),
          'by the demo (POST /v1/sagas/:id/retry); none expected',
        ],
      ],
    ),
  );

  out.push('', 'Participants (their own state in Redis)');
  if (participants) {
    const rows: string[][] = [
      [
        'invariants',
        participants.violations.length === 0
          ? 'hold'
          : `VIOLATED (${participants.violations.length})`,
        'inventory, payment, shipping, and across them',
      ],
      [
        'agree with the sagas',
        participants.disagreements.length === 0
          ? 'yes'
          : `NO (${participants.disagreements.length})`,
        `${int(tally.count('completed'))} completed orders; held: ${int(participants.held.reservations)} reservations, ` +
          `${int(participants.held.authorizations)} authorizations, ${int(participants.held.shipments)} shipments`,
      ],
      ...participants.scarce.map((s) => [
        `stock ${s.sku}`,
        `${int(s.left)} left`,
        `seeded ${int(s.seeded)} for ${int(s.wanted)} wanted`,
      ]),
      [
        'tight budgets',
        `${share(participants.tightCredit.used, participants.tightCredit.limit)} used`,
        `${int(Math.round(participants.tightCredit.used))} of ${int(participants.tightCredit.limit)} EUR held by ` +
          `the ${int(shop.tightCustomers.length)} customers (of ${int(shop.customers)}) with a ${int(shop.tightLimit)} EUR limit`,
      ],
      [
        'late confirms refused',
        int(participants.confirmsRefused),
        'slow shipping confirms that finished after their order was cancelled',
      ],
    ];
    out.push(table(['check', 'result', 'detail'], rows));
    for (const line of [...participants.violations, ...participants.disagreements].slice(0, 10)) {
      out.push(`  ! ${line}`);
    }
  } else {
    out.push('  not checked');
  }

  out.push('', where(report));
  out.push('');
  out.push(
    verdict.ok
      ? `Result: OK: all ${int(total)} sagas ended and the participants' invariants hold.`
      : `Result: FAILED: ${verdict.reasons.join('; ')}`,
  );
  return out.join('\n');
}

function where(report: RunReport): string {
  const { apiUrl, prefix } = report;
  const auth = report.tokenSet ? ` -H "authorization: Bearer $API_TOKEN"` : '';
  const example = report.tally.outcomes.find((o) => o.status === 'compensated' && o.sagaId);
  const alive = report.serve
    ? 'running until Ctrl-C'
    : 'stops when the demo exits; `npm run demo -- --serve` keeps it running';
  const lines: Array<[string, string]> = [
    ['API', `${apiUrl}  (${alive})`],
    ['parked sagas', `curl -s${auth} '${apiUrl}/v1/sagas?status=parked'`],
    [
      'one saga',
      `curl -s${auth} ${apiUrl}/v1/sagas/${example?.sagaId ?? '<id>'}${example ? '   (a compensated one)' : ''}`,
    ],
    [
      'CLI',
      `SAGA_API_URL=${apiUrl} npm run saga -- list --status compensated   (also get, watch, …)`,
    ],
    [
      'console',
      `${apiUrl}/ui/${example ? `sagas/${example.sagaId}` : ''}   (in a browser; the list, each saga's statechart and timeline)`,
    ],
    ['metrics', `curl -s ${apiUrl}/metrics | grep '^saga_sagas'`],
    [
      'dashboards',
      'dashboards/generated/*.json: Grafana → Dashboards → New → Import, with a Prometheus that scrapes ' +
        `${apiUrl.replace(/^http:\/\//, '')}/metrics (dashboards/README.md)`,
    ],
    [
      'data',
      `Kafka topics ${prefix}.*, Redis keys ${prefix}:* (the next run deletes them; npm run infra:down stops Kafka and Redis)`,
    ],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return ['Where to look', ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}

function countBy<T>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}
