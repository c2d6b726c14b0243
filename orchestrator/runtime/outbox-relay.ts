/**
 * The outbox relay: publishes what the store's outbox holds (commands, lifecycle events) to Kafka
 * and deletes it once the broker acknowledged it. Entries leave the outbox only after a successful
 * publish, so a crash in between publishes them again on restart — commands are at least once,
 * and participants deduplicate on `commandId`.
 *
 * One loop per shard this instance owns; a shard's entries go out in order, in batches. Every read
 * and ack carries the epoch the instance took the shard with (shard-ownership.ts): when another
 * instance has taken the shard since, the store refuses (`ShardFencedError`) and the loop ends. An idle
 * loop does not poll Redis: it waits to be woken (`notify`) — by a commit of this instance into the
 * shard, or by another instance's signal (shard-signals.ts) — so a step's commands leave at once.
 * A loop reads its shard when it starts (a shard taken over from a dead instance is published
 * at once). As a fallback, for the only entries nobody announces (those of an instance that died
 * between its commit and its signal), one sweep every `pollIntervalMs` reads the lengths of
 * every owned shard's outbox in one round trip and wakes the loops of those that hold entries.
 *
 * A command held up by an outage of this instance (broker or Redis lost) goes out with its
 * `expiresAt` moved as far as its deadline was (availability.ts `expiryAfterOutages`): the
 * participant must not drop a command the orchestrator still waits for. So does one an operator's
 * pause held back (`heldForMs`: the saga's deadlines moved by the pause's length).
 */
import type { Logger } from '../../wire/telemetry/index.js';
import type { MessagePublisher, OutgoingMessage } from '../../wire/transport/index.js';
import { HEADERS, type CommandMessage } from '../../wire/contract/index.js';
import { ShardFencedError } from '../store/index.js';
import { expiryAfterOutages, type Outage } from './availability.js';

/** A message waiting in the outbox (the store's OutboxEntry has this shape). */
export interface PendingOutboxEntry {
  id: string;
  message: OutgoingMessage;
  /** When it was stored, ms since the epoch: publish latency = published − enqueuedAt. */
  enqueuedAt: number;
  /** How long pauses of its saga held it back (ms): a command's `expiresAt` moves as far. */
  heldForMs?: number;
}

/** The door the relay needs onto the store. */
export interface OutboxSource {
  /** Rejects with `ShardFencedError` when the shard's epoch moved past `epoch`. */
  readOutbox(shard: number, limit: number, epoch?: number): Promise<PendingOutboxEntry[]>;
  /** Fenced as `readOutbox` is (nothing deleted then). */
  ackOutbox(shard: number, entryIds: readonly string[], epoch?: number): Promise<number>;
  /**
   * A batch read could not be published (its entries stay): counted finished, so a pause waiting
   * for the relay's batch in flight (store/outbox.ts) does not wait for it.
   */
  outboxBatchFailed?(shard: number): Promise<void>;
  /**
   * This relay took the shard: batches a former owner started (and may have died in) are over,
   * so a pause does not wait for them.
   */
  relayBatchesTaken?(shard: number): Promise<void>;
  /**
   * Entries in each shard's outbox, in one round trip. With it, one sweep every
   * `pollIntervalMs` covers every owned shard; without it, each shard's loop reads its own.
   */
  outboxLengths?(shards: readonly number[]): Promise<number[]>;
}

/** Which shards to relay, and word when that changes. */
export interface OwnedShards {
  shards(): ReadonlySet<number>;
  onChange(listener: (owned: ReadonlySet<number>) => void): void;
  /** The epoch the shard was taken with (the fence), while owned; absent: reads unfenced. */
  epochOf?(shard: number): number | undefined;
  /** The store refused the shard's epoch: another instance owns the shard now. */
  fenced?(shard: number, epoch: number): void;
}

export interface OutboxRelayOptions {
  source: OutboxSource;
  publisher: MessagePublisher;
  ownership: OwnedShards;
  logger: Logger;
  now?: () => number;
  /**
   * Entries read and published at once per shard.
   * @default 500
   */
  batchSize?: number;
  /**
   * How often an idle shard is checked for entries nobody announced (an instance that died
   * between its commit and its signal): their longest wait.
   * @default 5000
   */
  pollIntervalMs?: number;
  /**
   * First wait after a failed publish; doubles up to 5 s.
   * @default 100
   */
  retryBackoffMs?: number;
  /** The outages of this instance, to move the expiry of commands they held up. */
  outages?: { outagesUntilNow(after: number): readonly Outage[]; graceMs: number };
  /** Told after every published batch, for metrics. */
  onPublished?: (
    shard: number,
    entries: readonly PendingOutboxEntry[],
    publishedAt: number,
  ) => void;
}

interface ShardLoop {
  done: Promise<void>;
  wake: () => void;
  /** Set by notify while the loop is busy, so the next idle wait returns at once. */
  pending: boolean;
}

export class OutboxRelay {
  private readonly loops = new Map<number, ShardLoop>();
  private running = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryBackoffMs: number;
  private readonly now: () => number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.now = options.now ?? Date.now;
    options.ownership.onChange((owned) => this.follow(owned));
  }

  start(): void {
    this.running = true;
    this.follow(this.options.ownership.shards());
    this.scheduleSweep();
  }

  /** New entries were committed in `shard`: publish them now rather than at the next poll. */
  notify(shard: number): void {
    const loop = this.loops.get(shard);
    if (!loop) return;
    loop.pending = true;
    loop.wake();
  }

  /**
   * Stops the loops. With `drain` (graceful shutdown), each owned shard's outbox is first
   * published until it is empty — for at most `drainTimeoutMs`, since a broker or Redis that is
   * gone would make it wait forever; what is left is published by the next owner of the shard.
   */
  async stop({
    drain = true,
    drainTimeoutMs = 10_000,
  }: { drain?: boolean; drainTimeoutMs?: number } = {}): Promise<void> {
    this.draining = drain;
    this.running = false;
    clearTimeout(this.sweepTimer);
    for (const loop of this.loops.values()) loop.wake();
    const loops = Promise.all([...this.loops.values()].map((loop) => loop.done));
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.draining) {
          this.options.logger.warn(
            'outbox not drained in time; the next shard owner publishes the rest',
            {
              drainTimeoutMs,
            },
          );
        }
        this.draining = false;
        for (const loop of this.loops.values()) loop.wake();
        resolve();
      }, drainTimeoutMs);
    });
    await Promise.race([loops, gaveUp.then(() => loops)]);
    clearTimeout(timer);
    this.draining = false;
    this.loops.clear();
  }

  /**
   * Resolves once no loop runs for a shard this instance no longer owns: their batch in flight
   * is over (published and acked, or failed). The ownership waits for it before it takes shards.
   */
  async quiesce(): Promise<void> {
    const leaving = [...this.loops].filter(([shard]) => !this.owns(shard));
    await Promise.all(leaving.map(([, loop]) => loop.done));
  }

  private follow(owned: ReadonlySet<number>): void {
    // Loops of shards no longer owned end once their batch in hand is done; an idle one is woken
    // to notice now.
    for (const [shard, loop] of this.loops) {
      if (!owned.has(shard)) loop.wake();
    }
    if (!this.running) return;
    for (const shard of owned) {
      if (!this.loops.has(shard)) this.startLoop(shard);
    }
  }

  private startLoop(shard: number): void {
    const loop: ShardLoop = { done: Promise.resolve(), wake: () => undefined, pending: true };
    this.loops.set(shard, loop);
    loop.done = this.run(shard, loop).finally(() => {
      if (this.loops.get(shard) !== loop) return;
      this.loops.delete(shard);
      // The shard may have been lost and taken back while this loop was finishing: a loop that
      // ended for a shard we own again would leave its outbox unpublished.
      if (this.running && this.owns(shard)) this.startLoop(shard);
    });
  }

  private owns(shard: number): boolean {
    return this.options.ownership.shards().has(shard);
  }

  private async run(shard: number, loop: ShardLoop): Promise<void> {
    const { logger, source } = this.options;
    let backoff = this.retryBackoffMs;
    await source.relayBatchesTaken?.(shard).catch((error: unknown) => {
      logger.warn('could not reset the shard’s relay batch count', { shard, error });
    });
    while (this.owns(shard) && (this.running || this.draining)) {
      loop.pending = false;
      let published: number;
      const epoch = this.options.ownership.epochOf?.(shard);
      try {
        published = await this.publishOnce(shard, epoch);
        backoff = this.retryBackoffMs;
      } catch (error) {
        if (error instanceof ShardFencedError && epoch !== undefined) {
          this.options.ownership.fenced?.(shard, epoch);
          // The loop goes on only if the shard was taken again since, with a new epoch.
          if (this.options.ownership.epochOf?.(shard) === epoch) return;
          continue;
        }
        logger.warn('outbox publish failed; the entries stay and are retried', { shard, error });
        if (!this.running && !this.draining) return;
        await this.idle(loop, backoff);
        backoff = Math.min(backoff * 2, 5_000);
        continue;
      }
      if (published === 0) {
        if (!this.running) return; // drained
        // With a sweep, an idle loop waits for a wake-up alone (no timer of its own).
        const idleMs = this.options.source.outboxLengths ? Infinity : this.pollIntervalMs;
        if (!loop.pending) await this.idle(loop, idleMs);
      }
    }
  }

  private async publishOnce(shard: number, epoch: number | undefined): Promise<number> {
    const { source, publisher, onPublished } = this.options;
    const entries = await source.readOutbox(shard, this.batchSize, epoch);
    if (entries.length === 0) return 0;
    try {
      await publisher.publish(entries.map((entry) => this.withExpiryAfterOutages(entry)));
    } catch (error) {
      // Only while the shard is still this instance's: a new owner counted every earlier batch
      // done when it took the shard, and one more `done` would let a pause skip its batch.
      if (this.options.ownership.epochOf?.(shard) === epoch) {
        await source.outboxBatchFailed?.(shard).catch(() => undefined);
      }
      throw error;
    }
    await source.ackOutbox(
      shard,
      entries.map((entry) => entry.id),
      epoch,
    );
    onPublished?.(shard, entries, this.now());
    return entries.length;
  }

  /** The entry's message, with a held-up command's `expiresAt` moved past outages and pauses. */
  private withExpiryAfterOutages(entry: PendingOutboxEntry): OutgoingMessage {
    const { outages } = this.options;
    const { message } = entry;
    const heldForMs = entry.heldForMs ?? 0;
    // Only commands carry a command id header (outgoing-messages.ts).
    if (message.headers?.[HEADERS.commandId] === undefined) return message;
    const after = outages?.outagesUntilNow(entry.enqueuedAt) ?? [];
    if (after.length === 0 && heldForMs <= 0) return message;
    let command: CommandMessage;
    try {
      command = JSON.parse(message.value.toString()) as CommandMessage;
    } catch {
      // Not this runtime's JSON (it never happens): send it as stored rather than never.
      return message;
    }
    const expiresAt = Date.parse(command.expiresAt);
    const moved =
      expiryAfterOutages(expiresAt, entry.enqueuedAt, after, outages?.graceMs ?? 0) + heldForMs;
    if (!Number.isFinite(expiresAt) || moved === expiresAt) return message;
    const value = JSON.stringify({ ...command, expiresAt: new Date(moved).toISOString() });
    return { ...message, value };
  }

  /** The fallback: wakes the loops of owned shards whose outbox holds entries nobody announced. */
  private scheduleSweep(): void {
    const { source, logger } = this.options;
    if (!this.running || !source.outboxLengths) return;
    this.sweepTimer = setTimeout(() => {
      const shards = [...this.loops.keys()];
      const sweep = shards.length > 0 ? source.outboxLengths?.(shards) : undefined;
      (sweep ?? Promise.resolve([]))
        .then((lengths) => {
          shards.forEach((shard, index) => {
            if ((lengths[index] ?? 0) > 0) this.notify(shard);
          });
        })
        .catch((error: unknown) => {
          logger.warn('outbox sweep failed; will retry', { error });
        })
        .finally(() => this.scheduleSweep());
    }, this.pollIntervalMs);
  }

  private idle(loop: ShardLoop, ms: number): Promise<void> {
    return new Promise((resolve) => {
      // No timer for an endless wait (setTimeout would take Infinity as 1 ms).
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done() {
        clearTimeout(timer);
        loop.wake = () => undefined;
        resolve();
      }
      loop.wake = done;
    });
  }
}
