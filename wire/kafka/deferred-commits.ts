/**
 * Offsets of handled batches, committed together a little later instead of one OffsetCommit
 * request per batch.
 *
 * Why: kafkajs fetches again only once every batch of the last fetch returned, so an awaited
 * commit per batch put a broker round trip between every handled batch and the next fetch — on
 * each hop of a saga, on both sides — and at low load, where a batch is one or two messages, it
 * was the busiest request the brokers saw (more OffsetCommits than Fetches). Here a batch's offset
 * joins `pending` once its handler resolved, and one request carries every pending partition at
 * most every `intervalMs`, or as soon as `maxPendingMessages` handled messages wait (so a busy
 * consumer's committed lag, which lag alerts read, stays bounded). What is committed is still only what was handled (commit after
 * processing); a crash or a lost partition re-delivers what was handled since the last commit,
 * as it re-delivers a batch in hand today, and the consumers deduplicate it.
 */
import type { Logger } from '../telemetry/index.js';

/** The offset to commit for one partition: the next one to read. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface DeferredCommitsOptions {
  /** Shortest time between two commit requests, in ms (> 0). */
  intervalMs: number;
  /** A commit goes without waiting for the interval once this many handled messages wait. */
  maxPendingMessages: number;
  /** Sends one OffsetCommit for these partitions (the consumer's `commitOffsets`). */
  commit: (offsets: readonly PartitionOffset[]) => Promise<void>;
  logger: Logger;
  /** @default Date.now */
  now?: () => number;
  /** Runs `run` in `ms`; returns what cancels it. @default setTimeout */
  setTimer?: (run: () => void, ms: number) => () => void;
}

const realTimer = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export class DeferredCommits {
  private readonly pending = new Map<string, PartitionOffset>();
  /** Handled messages behind each pending offset. */
  private readonly pendingMessages = new Map<string, number>();
  private pendingTotal = 0;
  private cancelTimer: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => () => void;

  constructor(private readonly options: DeferredCommitsOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? realTimer;
  }

  /** Offsets waiting for the next commit (for tests). */
  pendingCount(): number {
    return this.pending.size;
  }

  /** A handled batch of `messages`: its partition's next offset goes out with the next commit. */
  add(entry: PartitionOffset, messages = 1): void {
    const key = keyOf(entry);
    this.pending.set(key, entry);
    this.pendingMessages.set(key, (this.pendingMessages.get(key) ?? 0) + messages);
    this.pendingTotal += messages;
    this.schedule();
  }

  /** Takes every pending offset (the caller commits them itself, e.g. inline while stopping). */
  take(): PartitionOffset[] {
    const taken = [...this.pending.values()];
    this.pending.clear();
    this.pendingMessages.clear();
    this.pendingTotal = 0;
    return taken;
  }

  /** Forgets offsets of partitions this member no longer has (after a rebalance). */
  retain(assigned: (topic: string, partition: number) => boolean): void {
    for (const [key, entry] of this.pending) {
      if (assigned(entry.topic, entry.partition)) continue;
      this.pending.delete(key);
      this.pendingTotal -= this.pendingMessages.get(key) ?? 0;
      this.pendingMessages.delete(key);
    }
  }

  /** Commits what is pending now (waiting for a commit in flight first). Never rejects. */
  async flush(): Promise<void> {
    this.cancel();
    await this.inFlight;
    if (this.pending.size > 0) await this.send();
  }

  /** Drops everything pending and the timer (the consumer is gone). */
  reset(): void {
    this.cancel();
    this.take();
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private schedule(): void {
    if (this.inFlight) return;
    if (this.pendingTotal >= this.options.maxPendingMessages) {
      this.cancel();
      void this.send();
      return;
    }
    if (this.cancelTimer) return;
    const wait = Math.max(0, this.lastCommitAt + this.options.intervalMs - this.now());
    this.cancelTimer = this.setTimer(() => {
      this.cancelTimer = undefined;
      void this.send();
    }, wait);
  }

  private send(): Promise<void> {
    const offsets = this.take();
    if (offsets.length === 0) return Promise.resolve();
    this.lastCommitAt = this.now();
    const sent = this.options
      .commit(offsets)
      .catch((error: unknown) => {
        // Usually a rebalance took a partition; its next owner re-reads from the last commit.
        // Offsets of partitions still ours go out with the next commit unless newer ones came,
        // after the interval: they do not count towards `maxPendingMessages` again, so a commit
        // that keeps failing is retried at the interval's pace, not in a loop.
        this.options.logger.info('commit refused; handled batches may be delivered again', {
          partitions: offsets.map(keyOf),
          error,
        });
        for (const entry of offsets) {
          const key = keyOf(entry);
          if (this.pending.has(key)) continue;
          this.pending.set(key, entry);
          this.pendingMessages.set(key, 0);
        }
      })
      .finally(() => {
        this.inFlight = undefined;
        if (this.pending.size > 0) this.schedule();
      });
    this.inFlight = sent;
    return sent;
  }
}

function keyOf({ topic, partition }: { topic: string; partition: number }): string {
  return `${topic}|${partition}`;
}
