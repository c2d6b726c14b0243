/**
 * Fires durable timers. XState does not persist `after` delays, so the store keeps every armed
 * deadline in a per-shard sorted set; this poller claims the due ones of the shards this instance
 * owns and feeds each back to its saga as the timer event. A claim carries the epoch the shard
 * was taken with (shard-ownership.ts): once another instance took the shard, the store refuses it
 * and the shard is dropped here. A timer applied twice all the same (two pollers in the moment of
 * a takeover) changes the saga once: the second write fails the record's revision check, and on
 * the reload the timer is no longer armed, so the engine ignores it. A claim is a lease, not a removal: if
 * the process dies before the step is written, the timer is due again when the claim runs out.
 *
 * A timer the engine ignores (its saga left the state that armed it, or re-armed it since) is
 * discarded, so it does not come back after every claim.
 *
 * The poller does not tick: it reads the earliest timer of every owned shard (one pipelined
 * read), claims in the shards where one is due, and otherwise sleeps until the earliest is due,
 * at most `pollIntervalMs`. A commit that arms a timer in one of its shards
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
import { ShardFencedError, type SagaStore } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import { outageAllowanceMs, type Outage } from './availability.js';
import type { ApplyOutcome, SagaEventItem } from './saga-event-applier.js';

export type TimerStore = Pick<
  SagaStore,
  'claimDueTimers' | 'discardClaimedTimer' | 'pauseTimers' | 'nextDueAtEach'
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
  /** The epoch each owned shard was taken with (the fence); absent: claims unfenced. */
  epochOf?: (shard: number) => number | undefined;
  /** The store refused a shard's epoch: another instance owns it now. */
  fenced?: (shard: number, epoch: number) => void;
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

  private async run(): Promise<void> {
    const { availability, ownedShards, logger } = this.options;
    while (this.running) {
      // What is notified from here on is not covered by this round's reads: the sleep after it
      // ends by then.
      this.notifiedDueAt = Infinity;
      // While unavailable nothing is claimed and nothing is read: look again after a check of
      // the availability watch (1 s by default) rather than a whole interval.
      if (availability && !availability.available()) {
        await this.sleep(Math.min(this.pollIntervalMs, UNAVAILABLE_RECHECK_MS));
        continue;
      }
      const shards = [...ownedShards()];
      let dues: (number | undefined)[];
      try {
        // One pipelined read of every owned shard's earliest timer; only due shards are claimed.
        dues = await this.options.store.nextDueAtEach(shards);
      } catch (error) {
        logger.warn('could not read when the next timer is due; will retry', { error });
        await this.sleep(this.pollIntervalMs);
        continue;
      }
      const now = this.options.now();
      const dueShards = shards.filter((_, index) => (dues[index] ?? Infinity) <= now);
      if (dueShards.length > 0) {
        try {
          await Promise.all(dueShards.map((shard) => this.pollShard(shard)));
        } catch (error) {
          logger.warn('timer poll failed; will retry', { error });
          await this.sleep(Math.min(this.pollIntervalMs, UNAVAILABLE_RECHECK_MS));
        }
        continue; // read again: more may be due, and the claimed ones moved to their lease's end
      }
      const earliest = Math.min(...dues.map((due) => due ?? Infinity));
      await this.sleep(Math.min(this.pollIntervalMs, Math.max(0, earliest - now)));
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

  private async pollShard(shard: number): Promise<number> {
    const { store, applyBatch, now, hooks, logger, epochOf, fenced } = this.options;
    await this.pushBackForOutages(shard);
    const claimedAt = now();
    const epoch = epochOf?.(shard);
    let claimed: Awaited<ReturnType<TimerStore['claimDueTimers']>>['claimed'];
    try {
      ({ claimed } = await store.claimDueTimers(
        shard,
        claimedAt,
        this.batchSize,
        this.claimLeaseMs,
        epoch,
      ));
    } catch (error) {
      if (epoch === undefined || !(error instanceof ShardFencedError)) {
        throw error;
      }
      fenced?.(shard, epoch);
      return 0;
    }
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
