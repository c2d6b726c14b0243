/**
 * Fires durable timers. XState does not persist `after` delays, so the store keeps every armed
 * deadline in a per-shard sorted set; this poller claims the due ones of the shards this instance
 * owns and feeds each back to its saga as the timer event. A claim is a lease, not a removal: if
 * the process dies before the step is written, the timer is due again when the lease runs out.
 *
 * A timer the engine ignores (its saga left the state that armed it, or re-armed it since) is
 * discarded, so it does not come back after every lease.
 *
 * The poller does not tick: after a round it sleeps until the earliest timer of its shards is due
 * (one ZRANGE per shard), at most `pollIntervalMs`. A commit that arms a timer in one of its shards
 * wakes it sooner (`notifyDue`): a commit of this instance directly, another instance's through a
 * shard signal (shard-signals.ts); so does taking over a shard. Only a timer whose signal was lost
 * (its instance died between commit and signal) waits for the next check: at most
 * `pollIntervalMs` late.
 *
 * Deadlines do not count outages. While the instance cannot work (`availability`, see
 * availability.ts) no timer is claimed; once it can, every outage it went through is handed to
 * the store, once per owned shard, before that shard's timers are claimed again, and pushes them
 * back by its length plus a grace (as long again, at most `outageGraceMs`) for the participants,
 * who lost the broker too, to reconnect. A shard taken over later gets the outages this instance saw recently too:
 * the store applies each stretch of time to a shard once, however many instances report it.
 */
import type { SagaStore } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import { outageAllowanceMs, type Outage } from './availability.js';
import type { ApplyOutcome, SagaEventItem } from './step-runner.js';

export type TimerStore = Pick<
  SagaStore,
  'claimDueTimers' | 'discardClaimedTimer' | 'pauseTimers' | 'nextDueAt'
>;

/** What the poller needs to know about the instance's ability to work. */
export interface TimerAvailability {
  available(): boolean;
  /** Outages that ended after `after`, oldest first. */
  outagesEndedAfter(after: number): readonly Outage[];
}

export interface TimerPollerOptions {
  store: TimerStore;
  applyBatch: (items: readonly SagaEventItem[]) => Promise<ApplyOutcome[]>;
  ownedShards: () => ReadonlySet<number>;
  now: () => number;
  logger: Logger;
  hooks?: RuntimeHooks;
  /**
   * Longest sleep between two checks of the owned shards: how late a timer nobody announced (see
   * above) may fire. Timers armed by commits of any instance wake the poller instead.
   * @default 5000
   */
  pollIntervalMs?: number;
  /**
   * Timers claimed at once per shard.
   * @default 500
   */
  batchSize?: number;
  /**
   * How long a claim holds a timer before it is due again (must exceed a step's duration).
   * @default 30_000
   */
  claimLeaseMs?: number;
  /** When given, timers wait while it says unavailable and are pushed back by its outages. */
  availability?: TimerAvailability;
  /**
   * An outage pushes timers back by its length plus as long again, at most this: the
   * participants lost the broker too, and reconnect about as slowly as this instance did.
   * @default 20_000
   */
  outageGraceMs?: number;
}

/** How soon an unavailable instance looks again whether it may claim timers. */
const UNAVAILABLE_RECHECK_MS = 1_000;

export class TimerPoller {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly claimLeaseMs: number;
  /** The earliest due time notified since the last sleep began (Infinity: none). */
  private notifiedDueAt = Infinity;
  /** Ends the current sleep sooner, if it would end later than `ms` from now. */
  private shortenSleep: (ms: number) => void = () => undefined;
  /** Per shard, the end of the last outage this instance handed to the store for it. */
  private readonly pausedThrough = new Map<number, number>();

  constructor(private readonly options: TimerPollerOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.batchSize = options.batchSize ?? 500;
    this.claimLeaseMs = options.claimLeaseMs ?? 30_000;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in hand; claimed but unapplied timers come back after their lease. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** One pass over the owned shards; returns how many timers were claimed. Exposed for tests. */
  async pollOnce(): Promise<number> {
    const { availability } = this.options;
    if (availability && !availability.available()) return 0;
    const shards = [...this.options.ownedShards()];
    const counts = await Promise.all(shards.map((shard) => this.pollShard(shard)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      // What is notified from here on is not covered by this round's reads: the sleep after it
      // ends by then.
      this.notifiedDueAt = Infinity;
      let claimed = 0;
      try {
        claimed = await this.pollOnce();
      } catch (error) {
        this.options.logger.warn('timer poll failed; will retry', { error });
      }
      // A full batch means more may be due: go again at once.
      if (claimed >= this.batchSize || !this.running) continue;
      await this.sleep(await this.msUntilNextDue());
    }
  }

  /**
   * A commit armed a timer due at `dueAt` in one of the shards this instance owns (or the owned
   * shards changed: pass 0): the poller's sleep ends by then.
   */
  notifyDue(dueAt: number): void {
    this.notifiedDueAt = Math.min(this.notifiedDueAt, dueAt);
    this.shortenSleep(dueAt - this.options.now());
  }

  /** Until the earliest timer of the owned shards is due, at most `pollIntervalMs`. */
  private async msUntilNextDue(): Promise<number> {
    const { store, ownedShards, availability, now, logger } = this.options;
    // While unavailable nothing is claimed and nothing is read: look again after a check of the
    // availability watch (1 s by default) rather than a whole interval.
    if (availability && !availability.available()) {
      return Math.min(this.pollIntervalMs, UNAVAILABLE_RECHECK_MS);
    }
    try {
      const dues = await Promise.all([...ownedShards()].map((shard) => store.nextDueAt(shard)));
      const earliest = Math.min(...dues.filter((due): due is number => due !== undefined));
      return Math.min(this.pollIntervalMs, Math.max(0, earliest - now()));
    } catch (error) {
      logger.warn('could not read when the next timer is due; checking again after the interval', {
        error,
      });
      return this.pollIntervalMs;
    }
  }

  private async pollShard(shard: number): Promise<number> {
    const { store, applyBatch, now, hooks, logger } = this.options;
    await this.pushBackForOutages(shard);
    const claimedAt = now();
    const { claimed } = await store.claimDueTimers(
      shard,
      claimedAt,
      this.batchSize,
      this.claimLeaseMs,
    );
    if (claimed.length === 0) return 0;
    for (const timer of claimed) hooks?.timerClaimed?.({ shard, dueAt: timer.dueAt, claimedAt });
    const outcomes = await applyBatch(
      claimed.map((timer) => ({
        sagaId: timer.sagaId,
        event: { kind: 'timer', timerId: timer.timerId, dueAt: timer.dueAt },
      })),
    );
    await Promise.all(
      outcomes.map(async (outcome, index) => {
        const timer = claimed[index];
        if (!timer || outcome.status === 'applied') return;
        if (outcome.status === 'error') {
          logger.error('the engine could not apply a timer; discarded', {
            sagaId: timer.sagaId,
            timerId: timer.timerId,
            error: outcome.error,
          });
        }
        await store.discardClaimedTimer(timer);
      }),
    );
    return claimed.length;
  }

  /** Hands the store every outage this shard's timers have not been pushed back for yet. */
  private async pushBackForOutages(shard: number): Promise<void> {
    const { availability, store, logger } = this.options;
    if (!availability) return;
    const after = this.pausedThrough.get(shard) ?? 0;
    for (const outage of availability.outagesEndedAfter(after)) {
      const allowance = outageAllowanceMs(outage, this.options.outageGraceMs ?? 20_000);
      const { moved, byMs } = await store.pauseTimers(shard, {
        since: outage.since,
        until: outage.since + allowance,
      });
      this.pausedThrough.set(shard, outage.until);
      if (moved > 0) logger.info('timers pushed back by an outage', { shard, moved, byMs });
    }
  }

  /** Sleeps `ms`, or less when a timer was notified meanwhile (`notifyDue`) or `stop` wakes it. */
  private sleep(ms: number): Promise<void> {
    // A timer notified while the round ran (perhaps after it read the shards) shortens it too.
    const notifiedInMs = this.notifiedDueAt - this.options.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let endsAt = Infinity;
      const done = () => {
        clearTimeout(timer);
        this.wake = () => undefined;
        this.shortenSleep = () => undefined;
        resolve();
      };
      const sleepFor = (forMs: number) => {
        clearTimeout(timer);
        endsAt = Date.now() + forMs;
        timer = setTimeout(done, forMs);
      };
      this.wake = done;
      this.shortenSleep = (forMs) => {
        if (Date.now() + forMs < endsAt) sleepFor(Math.max(0, forMs));
      };
      sleepFor(Math.max(0, Math.min(ms, notifiedInMs)));
    });
  }
}
