/**
 * Whether this instance can do its work, watched continuously: Redis answers, a Kafka broker
 * answers, the consumer is in its group. Two readers need the same answer:
 *
 * - `/readyz` (through `Orchestrator.readiness`), so an operator and Kubernetes see an outage
 *   within a couple of checks instead of whenever a request of the producer happens to fail;
 * - the timer poller, because a step deadline measures how long a participant takes, not how
 *   long the orchestrator itself could not publish commands or consume replies. While the
 *   instance is unavailable no timer fires, and when it is available again the outage is handed
 *   to the poller, which pushes the owned shards' timers back by its length (`pauseTimers`).
 *
 * An outage is measured from the last check that passed to the first that passes again, so it
 * errs on the long side by at most one check interval: a deadline may be extended a little more
 * than the outage, never less.
 */
import type { Logger } from '../../wire/telemetry/index.js';

/** The checks, by name; all must pass. */
export type AvailabilityChecks = Record<string, boolean>;

/** A time the instance could not work: from its last good check to the first good one after. */
export interface Outage {
  since: number;
  until: number;
}

/**
 * How much later a deadline falls because of `outage`: its length, plus as long again (at most
 * `graceMs`) for the participants, who lost the broker too and reconnect about as slowly. The
 * timer poller pushes timers back by this, and the outbox relay moves a held-up command's
 * `expiresAt` by the same amount, so a participant never drops a command the orchestrator still
 * waits for.
 */
export function outageAllowanceMs(outage: Outage, graceMs: number): number {
  const length = Math.max(0, outage.until - outage.since);
  return length + Math.min(length, graceMs);
}

/**
 * The `expiresAt` of a command stored at `enqueuedAt` and published only after `outages`: moved
 * by the allowance of every outage that ended after it was stored and began before it expired —
 * exactly the outages that pushed its deadline back (a timer due at or after an outage's start
 * moves), so the command never outlives the orchestrator's wait for it.
 */
export function expiryAfterOutages(
  expiresAt: number,
  enqueuedAt: number,
  outages: readonly Outage[],
  graceMs: number,
): number {
  let expiry = expiresAt;
  for (const outage of outages) {
    if (outage.until >= enqueuedAt && outage.since <= expiry) {
      expiry += outageAllowanceMs(outage, graceMs);
    }
  }
  return expiry;
}

export interface AvailabilityWatchOptions {
  /** Runs every check once; each must settle on its own (a check that hangs is a failed one). */
  check: () => Promise<AvailabilityChecks>;
  now: () => number;
  logger: Logger;
  /**
   * How often the checks run.
   * @default 1000
   */
  intervalMs?: number;
  /**
   * How long ended outages are remembered, for shards this instance takes over later.
   * @default 60000
   */
  rememberMs?: number;
}

export class AvailabilityWatch {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;
  private latest: AvailabilityChecks | undefined;
  private lastGoodAt: number | undefined;
  private unavailableSince: number | undefined;
  private readonly ended: Outage[] = [];
  private readonly intervalMs: number;
  private readonly rememberMs: number;

  constructor(private readonly options: AvailabilityWatchOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.rememberMs = options.rememberMs ?? 60_000;
  }

  /** Runs the first check, then keeps checking in the background. */
  async start(): Promise<void> {
    await this.checkOnce();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** The latest result of every check; undefined before the first. */
  checks(): AvailabilityChecks | undefined {
    return this.latest;
  }

  /** True when every check passed last time. */
  available(): boolean {
    return this.latest !== undefined && Object.values(this.latest).every(Boolean);
  }

  /** Outages that ended after `after` (ms), oldest first. */
  outagesEndedAfter(after: number): readonly Outage[] {
    return this.ended.filter((outage) => outage.until > after);
  }

  /**
   * Outages that ended after `after`, and the one going on, if any, as if it ended now: the
   * relay may publish before this watch has seen the end of an outage, and a shorter outage
   * only ever moves a command's expiry less than its deadline moves.
   */
  outagesUntilNow(after: number): readonly Outage[] {
    const ended = this.outagesEndedAfter(after);
    if (this.unavailableSince === undefined) return ended;
    return [...ended, { since: this.unavailableSince, until: this.options.now() }];
  }

  /** One round of checks; exposed for tests. */
  async checkOnce(): Promise<void> {
    const checks = await this.options.check();
    const at = this.options.now();
    const good = Object.values(checks).every(Boolean);
    this.latest = checks;
    if (good) {
      if (this.unavailableSince !== undefined) {
        const outage = { since: this.unavailableSince, until: at };
        // Recorded before `available()` turns true, so a poller never sees the instance
        // available without the outage it has to account for.
        this.ended.push(outage);
        this.options.logger.warn('available again: deadlines are pushed back by the outage', {
          outageMs: outage.until - outage.since,
        });
        this.unavailableSince = undefined;
      }
      this.lastGoodAt = at;
      this.forgetOld(at);
      return;
    }
    if (this.unavailableSince === undefined && this.lastGoodAt !== undefined) {
      this.unavailableSince = this.lastGoodAt;
      const failing = Object.keys(checks).filter((name) => !checks[name]);
      this.options.logger.warn('unavailable: no timer fires until it is available again', {
        failing,
      });
    }
  }

  private forgetOld(now: number): void {
    while (this.ended[0] && this.ended[0].until < now - this.rememberMs) this.ended.shift();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sleep(this.intervalMs);
      if (!this.running) break;
      try {
        await this.checkOnce();
      } catch (error) {
        this.options.logger.warn('availability check failed', { error });
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
