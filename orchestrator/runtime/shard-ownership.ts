/**
 * Which store shards this orchestrator instance works on. A shard's outbox must be relayed by one
 * instance at a time (so one saga's messages leave in order), and its timers are best polled by
 * one; a Redis lease per shard decides who. Leases are renewed well inside their time-to-live;
 * when an instance dies, its leases expire and the others take the shards over.
 *
 * Fair share: each instance announces itself (a heartbeat in the store) and takes at most
 * ceil(shards / live instances) shards, releasing the excess, so replicas split the work.
 */
import type { Logger } from '../../wire/telemetry/index.js';
import type { Clock } from './clock.js';

export interface LeaseStore {
  readonly shards: number;
  tryAcquireLease(shard: number, owner: string, ttlMs: number): Promise<boolean>;
  renewLease(shard: number, owner: string, ttlMs: number): Promise<boolean>;
  /** Renews several leases in one round trip; when absent, each is renewed on its own. */
  renewLeases?(shards: readonly number[], owner: string, ttlMs: number): Promise<boolean[]>;
  releaseLease(shard: number, owner: string): Promise<boolean>;
  /** Records that `owner` is alive until `now + ttlMs`; returns how many instances are alive. */
  heartbeat?(owner: string, now: number, ttlMs: number): Promise<number>;
}

export interface ShardOwnershipOptions {
  store: LeaseStore;
  /** This instance's unique name (host + pid + random). */
  owner: string;
  clock: Clock;
  logger: Logger;
  /**
   * How long a lease lives without renewal; a dead instance's shards move after at most this.
   * @default 10_000
   */
  leaseTtlMs?: number;
}

type Listener = (owned: ReadonlySet<number>) => void;

export class ShardOwnership {
  private readonly owned = new Set<number>();
  private readonly listeners: Listener[] = [];
  private readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private cycle: Promise<void> = Promise.resolve();

  constructor(private readonly options: ShardOwnershipOptions) {
    this.ttlMs = options.leaseTtlMs ?? 10_000;
  }

  /** Shards held right now. */
  shards(): ReadonlySet<number> {
    return this.owned;
  }

  /** Called after every change of the owned set. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Takes a first share of the shards before resolving, then keeps renewing in the background. */
  async start(): Promise<void> {
    this.running = true;
    await this.rebalance();
    this.schedule();
  }

  /** Stops renewing and hands every shard back at once, so another instance takes over fast. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.cycle;
    const released = [...this.owned];
    this.owned.clear();
    await Promise.all(
      released.map((shard) =>
        this.options.store.releaseLease(shard, this.options.owner).catch(() => false),
      ),
    );
    if (released.length > 0) this.notify();
  }

  private schedule(): void {
    if (!this.running) return;
    // Renew at a third of the lease: two renewals may fail before the lease is lost.
    this.timer = setTimeout(() => {
      this.cycle = this.rebalance()
        .catch((error: unknown) => {
          this.options.logger.warn('shard lease renewal failed; will retry', { error });
        })
        .finally(() => this.schedule());
    }, this.ttlMs / 3);
    this.timer.unref();
  }

  private async rebalance(): Promise<void> {
    const { store, owner, clock, logger } = this.options;
    // Any loss or gain counts as a change, even when the set ends up as it began (a lease lost
    // and taken back in one round): a relay that saw the loss stopped and must be restarted.
    let changed = false;
    const members = store.heartbeat ? await store.heartbeat(owner, clock.now(), this.ttlMs) : 1;
    const fairShare = Math.ceil(store.shards / Math.max(1, members));

    const held = [...this.owned];
    const renewed = store.renewLeases
      ? await store.renewLeases(held, owner, this.ttlMs)
      : await Promise.all(held.map((shard) => store.renewLease(shard, owner, this.ttlMs)));
    for (const [index, shard] of held.entries()) {
      if (!renewed[index]) {
        this.owned.delete(shard);
        changed = true;
        logger.warn('lost the lease of a shard', { shard });
      }
    }
    // Over the fair share (a new instance joined): give back the highest-numbered shards.
    const excess = [...this.owned]
      .sort((a, b) => b - a)
      .slice(0, Math.max(0, this.owned.size - fairShare));
    for (const shard of excess) {
      this.owned.delete(shard);
      changed = true;
      await store.releaseLease(shard, owner);
    }
    // Under it: try the others, starting at a place that differs per instance to spread them.
    const offset = hashOwner(owner) % store.shards;
    for (let i = 0; i < store.shards && this.owned.size < fairShare; i++) {
      const shard = (offset + i) % store.shards;
      if (this.owned.has(shard)) continue;
      if (await store.tryAcquireLease(shard, owner, this.ttlMs)) {
        this.owned.add(shard);
        changed = true;
      }
    }
    if (changed) {
      const shards = [...this.owned].sort((a, b) => a - b).join(',');
      logger.info('shards owned', { shards, members, fairShare });
      this.notify();
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.owned);
  }
}

function hashOwner(owner: string): number {
  let hash = 0;
  for (let i = 0; i < owner.length; i++) hash = (hash * 31 + owner.charCodeAt(i)) >>> 0;
  return hash;
}
