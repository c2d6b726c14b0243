/**
 * Offers sagas to a system under test and times each from its start to its completion.
 *
 * - `closed`: keeps `inFlight` sagas running; each completion starts the next (saturation).
 * - `open`: starts sagas at a fixed rate whatever happens (offered load). A saga's clock starts
 *   at its *scheduled* time, not when the timer got round to it, so a busy event loop shows up
 *   in the latency instead of hiding it (no coordinated omission).
 * - `count`: starts exactly `total` sagas, at most `concurrency` starts awaited at once, then
 *   stops (used to fill Redis with in-flight sagas).
 *
 * The target starts a saga; whoever sees it finish calls {@link LoadDriver.completed}.
 */
import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary } from '../measure/latency-recorder.js';

export type LoadMode =
  | { kind: 'idle' }
  | { kind: 'closed'; inFlight: number }
  | { kind: 'open'; ratePerSec: number }
  | { kind: 'count'; total: number; concurrency: number };

export interface LoadTarget {
  /** Starts saga `sagaId`; resolves once it is started (persisted), rejects if it was not. */
  start(sagaId: string): Promise<void>;
}

export interface LoadCounters {
  started: number;
  completed: number;
  /** Sagas that ended in another status than completed (none expected: participants succeed). */
  endedOtherwise: number;
  startErrors: number;
  /** Open loop only: starts skipped because `maxInFlight` sagas were already running. */
  shed: number;
}

export interface LoadWindow extends LoadCounters {
  seconds: number;
  inFlightAtEnd: number;
  latency: LatencySummary;
  /** The latency histogram, compressed, when asked for (to merge several drivers' windows). */
  histogram?: string;
}

/** Starts are scheduled this often in open mode (catching up on what fell due meanwhile). */
const OPEN_TICK_MS = 5;

export class LoadDriver {
  private readonly inFlight = new Map<string, number>();
  private readonly latency = new LatencyRecorder();
  private counters: LoadCounters = emptyCounters();
  private windowStart = performance.now();
  private mode: LoadMode = { kind: 'idle' };
  private sequence = 0;
  private openTimer: NodeJS.Timeout | undefined;
  private pendingStarts = 0;
  private drained: (() => void) | undefined;
  /** Counts over the driver's whole life, for progress reports. */
  private totalCompleted = 0;

  constructor(
    private readonly target: LoadTarget,
    private readonly idPrefix: string,
    private readonly maxInFlight = 50_000,
  ) {}

  /** The id the `n`-th saga gets (1-based): callers use it to find sagas in Redis. */
  static sagaId(idPrefix: string, n: number): string {
    return `${idPrefix}${n}`;
  }

  setMode(mode: LoadMode): void {
    clearInterval(this.openTimer);
    this.openTimer = undefined;
    this.mode = mode;
    if (mode.kind === 'closed') {
      for (let i = this.inFlight.size; i < mode.inFlight; i++) this.startOne(performance.now());
    } else if (mode.kind === 'open') {
      const periodMs = 1000 / mode.ratePerSec;
      const began = performance.now();
      let scheduled = 0;
      const tick = () => {
        const due = Math.floor((performance.now() - began) / periodMs);
        for (; scheduled < due; scheduled++) {
          if (this.inFlight.size >= this.maxInFlight) this.counters.shed += 1;
          else this.startOne(began + scheduled * periodMs);
        }
      };
      this.openTimer = setInterval(tick, OPEN_TICK_MS);
    } else if (mode.kind === 'count') {
      let left = mode.total;
      const next = () => {
        if (left <= 0 || this.mode !== mode) return;
        left -= 1;
        this.pendingStarts += 1;
        this.startOne(performance.now(), () => {
          this.pendingStarts -= 1;
          next();
        });
      };
      for (let i = 0; i < mode.concurrency; i++) next();
    }
  }

  /** Called when saga `sagaId` reached an end state. Unknown ids (not ours) are ignored. */
  completed(sagaId: string, ok: boolean): void {
    const startedAt = this.inFlight.get(sagaId);
    if (startedAt === undefined) return;
    this.inFlight.delete(sagaId);
    this.totalCompleted += 1;
    if (ok) {
      this.counters.completed += 1;
      this.latency.record(performance.now() - startedAt);
    } else {
      this.counters.endedOtherwise += 1;
    }
    if (this.mode.kind === 'closed' && this.inFlight.size < this.mode.inFlight) {
      this.startOne(performance.now());
    }
    if (this.inFlight.size === 0) this.drained?.();
  }

  /** Starts a new measurement window: counters and the histogram restart from zero. */
  mark(): void {
    this.counters = emptyCounters();
    this.latency.reset();
    this.windowStart = performance.now();
  }

  /** What happened since `mark()`; with `histogram`, the latencies too, to merge elsewhere. */
  window(options: { histogram?: boolean } = {}): LoadWindow {
    return {
      ...this.counters,
      seconds: (performance.now() - this.windowStart) / 1000,
      inFlightAtEnd: this.inFlight.size,
      latency: this.latency.summary(),
      ...(options.histogram ? { histogram: this.latency.encode() } : {}),
    };
  }

  progress(): { completed: number; inFlight: number } {
    return { completed: this.totalCompleted, inFlight: this.inFlight.size };
  }

  /** Stops offering and waits until every saga in flight has ended (or the timeout). */
  async drain(timeoutMs: number): Promise<{ leftInFlight: number }> {
    this.setMode({ kind: 'idle' });
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    return { leftInFlight: this.inFlight.size };
  }

  /** Count mode: resolves once every start was attempted. */
  async startsSettled(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.pendingStarts > 0 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private startOne(startedAt: number, settled?: () => void): void {
    this.sequence += 1;
    const sagaId = LoadDriver.sagaId(this.idPrefix, this.sequence);
    this.inFlight.set(sagaId, startedAt);
    this.counters.started += 1;
    this.target.start(sagaId).then(settled, () => {
      this.counters.startErrors += 1;
      this.inFlight.delete(sagaId);
      settled?.();
      // A closed loop keeps its level, but not in a hot loop against a failing store.
      if (this.mode.kind === 'closed') {
        setTimeout(() => {
          if (this.mode.kind === 'closed' && this.inFlight.size < this.mode.inFlight) {
            this.startOne(performance.now());
          }
        }, 100);
      }
    });
  }
}

function emptyCounters(): LoadCounters {
  return { started: 0, completed: 0, endedOtherwise: 0, startErrors: 0, shed: 0 };
}
