/**
 * Fires durable timers. XState does not persist `after` delays, so the store keeps every armed
 * deadline in a per-shard sorted set; this poller claims the due ones of the shards this instance
 * owns and feeds each back to its saga as the timer event. A claim is a lease, not a removal: if
 * the process dies before the step is written, the timer is due again when the lease runs out.
 *
 * A timer the engine ignores (its saga left the state that armed it, or re-armed it since) is
 * discarded, so it does not come back after every lease.
 */
import type { SagaStore } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { ApplyOutcome, SagaEventItem } from './step-runner.js';

export type TimerStore = Pick<SagaStore, 'claimDueTimers' | 'discardClaimedTimer'>;

export interface TimerPollerOptions {
  store: TimerStore;
  applyBatch: (items: readonly SagaEventItem[]) => Promise<ApplyOutcome[]>;
  ownedShards: () => ReadonlySet<number>;
  now: () => number;
  logger: Logger;
  hooks?: RuntimeHooks;
  /**
   * How often owned shards are checked for due timers; also the timers' worst-case lateness on
   * an idle instance.
   * @default 100
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
}

export class TimerPoller {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly claimLeaseMs: number;

  constructor(private readonly options: TimerPollerOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
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
    const shards = [...this.options.ownedShards()];
    const counts = await Promise.all(shards.map((shard) => this.pollShard(shard)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pollOnce();
      } catch (error) {
        this.options.logger.warn('timer poll failed; will retry', { error });
      }
      // A full batch means more may be due: go again at once.
      if (claimed < this.batchSize && this.running) await this.sleep(this.pollIntervalMs);
    }
  }

  private async pollShard(shard: number): Promise<number> {
    const { store, applyBatch, now, hooks, logger } = this.options;
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
