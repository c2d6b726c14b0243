/**
 * The run's two instruments besides the faults: a starter that sends the planned orders through
 * the orchestrators' HTTP API at a steady rate (round robin; a request that fails or hangs goes to
 * the next orchestrator, with the same Idempotency-Key, so a retry never makes a second saga), and
 * a monitor that reads every saga's status from the store a few times a second.
 */
import type { SagaStore } from '../../orchestrator/store/index.js';
import { progressOf, type PlannedOrder, type Progress } from '../../test/e2e/support/order-run.js';

export interface StartSummary {
  /** Sagas an orchestrator answered 200/201 for, by saga id. */
  started: Set<string>;
  /** Orders no orchestrator accepted before the starter gave up. */
  notStarted: string[];
  /** Requests answered with an error, refused or timed out (then sent again). */
  failedRequests: number;
  /** The failed requests by what went wrong (`HTTP 503`, `TimeoutError`, `TypeError`…). */
  failures: Record<string, number>;
}

export interface Starter {
  /** Sagas started so far. */
  startedCount(): number;
  readonly done: Promise<StartSummary>;
  /** Stops sending (the orders not sent yet count as not started). */
  cancel(): void;
}

/**
 * Sends `orders` at `ratePerSecond`, one order at a time per slot of the schedule (a slow answer
 * delays the orders behind it, not the rate afterwards). Gives an order up after `giveUpMs`.
 * A request unanswered after `requestTimeoutMs` goes to the next orchestrator: keep it above
 * what an overloaded orchestrator takes, or the retries add to its load (each one it accepts
 * late is still served).
 */
export function startOrders(
  orders: readonly PlannedOrder[],
  httpPorts: readonly number[],
  ratePerSecond: number,
  giveUpMs = 120_000,
  /** How long one request may take before it goes to the next orchestrator. */
  requestTimeoutMs = 3_000,
): Starter {
  const summary: StartSummary = {
    started: new Set(),
    notStarted: [],
    failedRequests: 0,
    failures: {},
  };
  const failed = (why: string) => {
    summary.failedRequests += 1;
    summary.failures[why] = (summary.failures[why] ?? 0) + 1;
  };
  let cancelled = false;
  const startOne = async (order: PlannedOrder, index: number): Promise<void> => {
    const until = Date.now() + giveUpMs;
    for (let attempt = 0; !cancelled && Date.now() < until; attempt++) {
      const port = httpPorts[(index + attempt) % httpPorts.length];
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/sagas`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.key },
          body: JSON.stringify({ type: 'order', input: order.input }),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        if (response.status === 200 || response.status === 201) {
          const { id } = (await response.json()) as { id: string };
          summary.started.add(id);
          return;
        }
        const text = await response.text().catch(() => '');
        failed(`HTTP ${response.status} ${text.slice(0, 80)}`);
      } catch (error) {
        // Refused (killed), reset or timed out (stopped): the next orchestrator.
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        failed(cause ?? (error as Error).name);
      }
      await pause(Math.min(1_000, 100 * 2 ** attempt));
    }
    summary.notStarted.push(order.key);
  };
  const done = (async () => {
    const begin = Date.now();
    const inFlight: Promise<void>[] = [];
    for (const [i, order] of orders.entries()) {
      if (cancelled) {
        summary.notStarted.push(order.key);
        continue;
      }
      const due = begin + (i * 1_000) / ratePerSecond;
      if (due > Date.now()) await pause(due - Date.now());
      inFlight.push(startOne(order, i));
    }
    await Promise.all(inFlight);
    return summary;
  })();
  return {
    startedCount: () => summary.started.size,
    done,
    cancel: () => (cancelled = true),
  };
}

/** One look at the run: when, and how many sagas had ended, ran, or were not there. */
export interface Sample extends Progress {
  at: number;
}

export interface Monitor {
  /** The latest sample (all missing before the first). */
  latest(): Sample;
  /** Resolves with the first sample that satisfies `test`; rejects after `timeoutMs`. */
  waitFor(what: string, test: (sample: Sample) => boolean, timeoutMs: number): Promise<Sample>;
  /** The last sample taken at or before `time`, if any. */
  sampleAt(time: number): Sample | undefined;
  /** The first sample after `since` with more sagas ended than at `since`, if any. */
  firstEndAfter(since: number): Sample | undefined;
  /** The longest time, ms, during which sagas ran and none ended (or the store did not answer). */
  longestStall(): number;
  stop(): void;
}

/**
 * Samples the sagas' progress from the store every `everyMs` (a sample that fails, e.g. while
 * Redis is down, is skipped). `onSample` lets the caller check its processes as it goes.
 */
export function monitorProgress(
  store: SagaStore,
  orders: readonly PlannedOrder[],
  onSample: () => void,
  everyMs = 250,
): Monitor {
  const samples: Sample[] = [];
  let latest: Sample = { at: Date.now(), ended: 0, running: 0, missing: orders.length };
  let stopped = false;
  let failure: Error | undefined;
  const waiters = new Set<() => void>();
  void (async () => {
    while (!stopped) {
      try {
        onSample();
      } catch (error) {
        failure = error as Error;
      }
      try {
        const progress = await progressOf(store, orders);
        latest = { at: Date.now(), ...progress };
        samples.push(latest);
      } catch {
        // The store is unreachable (a Redis fault): no sample this time.
      }
      for (const wake of waiters) wake();
      await pause(everyMs);
    }
  })();
  return {
    latest: () => latest,
    waitFor: (what, test, timeoutMs) =>
      new Promise<Sample>((resolve, reject) => {
        const until = Date.now() + timeoutMs;
        const check = () => {
          if (failure) reject(failure);
          else if (test(latest)) resolve(latest);
          else if (Date.now() > until) reject(new Error(`timed out waiting for ${what}`));
          else return;
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    sampleAt: (time) => [...samples].reverse().find((s) => s.at <= time),
    firstEndAfter(since) {
      const endedThen = this.sampleAt(since)?.ended ?? 0;
      return samples.find((s) => s.at > since && s.ended > endedThen);
    },
    longestStall() {
      let longest = 0;
      let since = samples[0]?.at ?? 0;
      let ended = 0;
      for (const sample of samples) {
        if (sample.ended > ended || sample.running === 0) since = sample.at;
        else longest = Math.max(longest, sample.at - since);
        ended = Math.max(ended, sample.ended);
      }
      return longest;
    },
    stop: () => {
      stopped = true;
    },
  };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
