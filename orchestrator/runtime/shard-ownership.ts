/**
 * Which store shards this orchestrator instance works on: it relays their outbox (one relay per
 * shard at a time, so one saga's messages leave in order) and fires their timers. The Kafka
 * consumer group of the replies and requests topics decides, and nothing else: store shard `s`
 * belongs to the member assigned partition `s mod P` of the replies topic, `P` being that topic's
 * partition count. One assignment thus decides consuming, relaying and timers, and membership
 * lives in the broker (sessions, heartbeats, rebalances), not in a protocol of our own.
 *
 * kafkajs rebalances eagerly: when a rebalance starts every member gives up every partition, and
 * the join hands out new ones. So on `rebalancing` (and when the consumer stops or crashes) this
 * instance gives up every shard at once; on `joined` it first waits until nothing works on a shard
 * it gave up (`quiesce`: the relay's batch in flight ends), then takes the shards of its new
 * assignment.
 *
 * Fence. A member can lose its partitions without knowing at once (a long pause; cut off from the
 * brokers while Redis still answers). Taking a shard bumps the shard's epoch in Redis
 * (store/shard-epochs.ts) and this instance keeps the value; the relay's and the timer poller's
 * scripts compare it, so a stale owner's next read, ack or claim fails and it drops the shard
 * (`fenced`). What the stale owner published between the take and that failure is published again
 * by the new owner: a duplicate, which commands' ids make harmless (docs/store.md).
 */
import type { Logger } from '../../wire/telemetry/index.js';
import type { MembershipEvent } from '../../wire/kafka/index.js';

/**
 * The store shards that follow `partitions` of a topic with `partitionCount` partitions: shard `s`
 * follows partition `s mod partitionCount`. With fewer shards than partitions, the partitions from
 * `shards` up carry no shard; with more, a partition carries several.
 */
export function shardsOfPartitions(
  partitions: readonly number[],
  partitionCount: number,
  shards: number,
): number[] {
  if (!Number.isInteger(partitionCount) || partitionCount <= 0) {
    throw new RangeError(`partition count must be a positive whole number, got ${partitionCount}`);
  }
  const assigned = new Set(partitions);
  const owned: number[] = [];
  for (let shard = 0; shard < shards; shard++) {
    if (assigned.has(shard % partitionCount)) owned.push(shard);
  }
  return owned;
}

/** The door onto the store's shard epochs. */
export interface ShardEpochStore {
  readonly shards: number;
  /** Bumps each shard's epoch and returns the new values, in order. */
  takeShards(shards: readonly number[]): Promise<number[]>;
}

export interface ShardOwnershipOptions {
  store: ShardEpochStore;
  /** The replies topic: its partitions carry the shards. */
  topic: string;
  /** The replies topic's partition count now (read at every join: a topic may grow). */
  partitionCount: () => Promise<number>;
  /** Resolves once nothing works any more on a shard this instance gave up. */
  quiesce?: () => Promise<void>;
  /**
   * Longest wait for `quiesce` (a publish to a broker that is away can hang for its retries):
   * past it the shards are taken all the same, and a batch of this instance still in flight is
   * fenced by its own new epoch (its entries go out again: a duplicate).
   * @default 5000
   */
  quiesceTimeoutMs?: number;
  logger: Logger;
  /**
   * Wait before a failed take (Redis or the broker's metadata unreachable) is tried again.
   * @default 1000
   */
  retryMs?: number;
  /** @default a `setTimeout` promise (tests pass their own) */
  sleep?: (ms: number) => Promise<void>;
}

type Listener = (owned: ReadonlySet<number>) => void;

export class ShardOwnership {
  /** Owned shard → the epoch this instance took it with. */
  private readonly epochs = new Map<number, number>();
  private readonly owned = new Set<number>();
  private readonly listeners: Listener[] = [];
  /** Bumped by every membership event: a take begun in an earlier round is void. */
  private round = 0;
  private taking: Promise<void> = Promise.resolve();
  /** While set, a `left` of a stop this instance asked for keeps the shards (see `holdOnStop`). */
  private holding = false;
  private readonly retryMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ShardOwnershipOptions) {
    this.retryMs = options.retryMs ?? 1_000;
    this.sleep =
      options.sleep ??
      ((ms) =>
        new Promise((resolve) => {
          setTimeout(resolve, ms).unref();
        }));
  }

  /** Shards held right now. */
  shards(): ReadonlySet<number> {
    return this.owned;
  }

  /** The epoch this instance took `shard` with, while it owns it. */
  epochOf(shard: number): number | undefined {
    return this.epochs.get(shard);
  }

  /** Called after every change of the owned set. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Follows the consumer group: give everything up, and on a join take the new assignment. */
  membership(event: MembershipEvent): void {
    if (event.kind === 'left' && event.reason === 'stopped' && this.holding) return;
    this.round += 1;
    this.releaseAll(event.kind);
    if (event.kind === 'joined') {
      const partitions = event.assignment[this.options.topic] ?? [];
      this.taking = this.take(this.round, partitions);
    }
  }

  /**
   * Resolves once the latest join's shards are taken (or superseded by a later event), or once
   * `timeoutMs` has passed (the take goes on retrying).
   */
  async settled(timeoutMs = Infinity): Promise<void> {
    const taken = (async () => {
      let current: Promise<void>;
      do {
        current = this.taking;
        await current;
      } while (current !== this.taking);
    })();
    if (!Number.isFinite(timeoutMs)) return taken;
    await within(taken, timeoutMs);
  }

  /**
   * The relay or the timer poller found the shard's epoch moved past `epoch`: another instance
   * took the shard. Dropped (if `epoch` is still the one held); it comes back only with a join.
   */
  fenced(shard: number, epoch: number): void {
    if (this.epochs.get(shard) !== epoch) return;
    this.epochs.delete(shard);
    this.owned.delete(shard);
    this.options.logger.warn('another instance took a shard this one owned; dropped it', {
      shard,
      epoch,
    });
    this.notify();
  }

  /**
   * For a graceful stop: the consumer leaves the group first (the others rebalance at once and
   * take the shards), while this instance keeps its shards to publish what their outbox holds.
   * Whatever a successor takes meanwhile is fenced from here. `release` ends it.
   */
  holdOnStop(): void {
    this.holding = true;
  }

  /** Gives every shard up (the end of a stop). */
  release(): void {
    this.round += 1;
    this.holding = false;
    this.releaseAll('stopped');
  }

  private releaseAll(why: string): void {
    if (this.owned.size === 0) return;
    this.epochs.clear();
    this.owned.clear();
    this.options.logger.info('gave up every shard', { why });
    this.notify();
  }

  private async take(round: number, partitions: readonly number[]): Promise<void> {
    const { store, logger, quiesce, partitionCount } = this.options;
    if (quiesce) {
      const waitedMs = this.options.quiesceTimeoutMs ?? 5_000;
      await within(quiesce(), waitedMs, () =>
        logger.warn('work on the shards given up still runs; taking the new ones', { waitedMs }),
      );
    }
    while (round === this.round) {
      try {
        const count = await partitionCount();
        const shards = shardsOfPartitions(partitions, count, store.shards);
        const epochs = await store.takeShards(shards);
        // A later event came meanwhile: whoever owns these shards now took (or takes) them after.
        if (round !== this.round) return;
        shards.forEach((shard, index) => {
          this.epochs.set(shard, epochs[index] ?? 0);
          this.owned.add(shard);
        });
        logger.info('shards owned', {
          shards: shards.join(','),
          partitions: [...partitions].sort((a, b) => a - b).join(','),
          partitionCount: count,
        });
        if (shards.length > 0) this.notify();
        return;
      } catch (error) {
        logger.warn('could not take the assigned shards; will retry', { error });
        await this.sleep(this.retryMs);
      }
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.owned);
  }
}

/** Resolves when `work` does, or once `ms` have passed (calling `onLate` then), whichever is first. */
async function within(work: Promise<void>, ms: number, onLate?: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onLate?.();
      resolve();
    }, ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
