/**
 * What happened to each saga of the run, read from the saga as the API shows it (status, the
 * failure that sent it into compensation, its steps' attempts, its history), and the tally the
 * summary is made of.
 */
import type { SagaView } from '../../orchestrator/api/saga-view.js';
import { ENDED_SAGA_STATUSES, type SagaStatus } from '../../wire/contract/index.js';

/** How a saga of the run ended; `not-started` and `unfinished` are the demo's own failures. */
export type DemoStatus = SagaStatus | 'not-started' | 'unfinished';

/** Statuses at which a saga is over (parked is at rest, but waits for an operator). */
export const ENDED: ReadonlySet<DemoStatus> = new Set(ENDED_SAGA_STATUSES);

export interface SagaOutcome {
  n: number;
  orderId: string;
  sagaId: string | undefined;
  status: DemoStatus;
  /** The failure's code (`OUT_OF_STOCK`, `DECLINED`, `STEP_TIMED_OUT`…), when it failed. */
  reason: string | undefined;
  /** The step that failed, when one did. */
  failedStep: string | undefined;
  /** The saga's own start-to-end time (createdAt → updatedAt), in ms. */
  latencyMs: number | undefined;
  /** Attempts beyond the first, over every forward step. */
  retries: number;
  /** Step deadlines that passed without a reply. */
  timeouts: number;
  /** The operator's decision on a bulk order. */
  approval: 'approved' | 'rejected' | undefined;
  /** How often the demo retried it while parked. */
  parkedRetries: number;
  /** Why the demo could not start or follow it (not-started, unfinished). */
  problem?: string;
}

interface StepProgressView {
  attempt?: unknown;
}

/** Reads a finished (or given up on) saga into an outcome. */
export function outcomeOf(
  order: { n: number; orderId: string },
  saga: SagaView,
  parkedRetries: number,
): SagaOutcome {
  const context = saga.context as {
    failure?: { code?: unknown; step?: unknown };
    steps?: Record<string, StepProgressView>;
  };
  const retries = Object.values(context.steps ?? {}).reduce(
    (sum, step) => sum + Math.max(0, (typeof step.attempt === 'number' ? step.attempt : 1) - 1),
    0,
  );
  // A deadline entry names its step; a plain "timer fired" entry (a backoff) does not.
  const timeouts = saga.history.filter((e) => e.kind === 'timer' && e.step !== undefined).length;
  // An operator's signal (through the API) is an 'operator' line with the event in data.event.
  const signals = saga.history.map((e) =>
    e.kind === 'operator' && e.data?.action === 'signal'
      ? (e.data.event as { type?: unknown } | undefined)?.type
      : e.kind === 'signal'
        ? e.data?.type
        : undefined,
  );
  const approval = signals.includes('order.approve')
    ? 'approved'
    : signals.includes('order.reject')
      ? 'rejected'
      : undefined;
  const failure = saga.status === 'completed' ? undefined : context.failure;
  return {
    ...order,
    sagaId: saga.id,
    status: saga.status,
    reason: typeof failure?.code === 'string' ? failure.code : undefined,
    failedStep: typeof failure?.step === 'string' ? failure.step : undefined,
    latencyMs: Date.parse(saga.updatedAt) - Date.parse(saga.createdAt),
    retries,
    timeouts,
    approval,
    parkedRetries,
  };
}

/** Nearest-rank percentile of sorted values (`p` in 0..100); undefined when there are none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencyStats {
  count: number;
  p50: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** Running counts for the progress bar, and every outcome for the summary. */
export class Tally {
  readonly outcomes: SagaOutcome[] = [];
  started = 0;
  /** Parked right now (the demo retries them). */
  parkedNow = 0;
  private readonly byStatus = new Map<DemoStatus, number>();
  private startedAndRecorded = 0;

  record(outcome: SagaOutcome): void {
    this.outcomes.push(outcome);
    this.byStatus.set(outcome.status, (this.byStatus.get(outcome.status) ?? 0) + 1);
    if (outcome.status !== 'not-started') this.startedAndRecorded += 1;
  }

  count(status: DemoStatus): number {
    return this.byStatus.get(status) ?? 0;
  }

  get finished(): number {
    return this.outcomes.length;
  }

  /** Started and not yet recorded. */
  get running(): number {
    return this.started - this.startedAndRecorded;
  }

  statuses(): Array<[DemoStatus, number]> {
    return [...this.byStatus.entries()].sort((a, b) => b[1] - a[1]);
  }

  /** Failures by code and step, most frequent first. */
  reasons(): Array<{ reason: string; step: string; status: DemoStatus; count: number }> {
    const counts = new Map<
      string,
      { reason: string; step: string; status: DemoStatus; count: number }
    >();
    for (const o of this.outcomes) {
      if (o.status === 'completed') continue;
      const reason = o.reason ?? o.problem ?? '(none)';
      const step = o.failedStep ?? '';
      const key = `${o.status}\u0000${reason}\u0000${step}`;
      const entry = counts.get(key) ?? { reason, step, status: o.status, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    return [...counts.values()].sort((a, b) => b.count - a.count);
  }
}
