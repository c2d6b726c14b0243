/**
 * Word between orchestrator instances that a commit put work into a shard: outbox entries to
 * publish, or a timer armed. Only the shard's owner relays its outbox and fires its timers, but
 * any instance commits into any shard (a saga's reply reaches whichever instance consumes its
 * partition), so without this word the owner would have to poll every shard to find that work —
 * which is what an idle orchestrator used to spend its time on.
 *
 * A commit into a shard this instance owns wakes its own relay and timer poller directly; for the
 * other shards it publishes one Redis pub/sub message per batch. Pub/sub is fire-and-forget: a
 * message is lost when the committing instance dies before publishing it, or while the owner's
 * subscription is reconnecting. The owner therefore re-checks every shard when its subscription
 * comes back (`onResubscribed`), and its relay and poller still poll, slowly, for the rest.
 */
import { Cluster } from 'ioredis';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RedisClient } from '../store/index.js';

/** Work committed into shards: outbox entries, and timers with the earliest one's due time. */
export interface ShardWork {
  /** Shards that got outbox entries. */
  outbox: readonly number[];
  /** Shards that got a timer, with its due time (ms since the epoch). */
  timers: readonly (readonly [shard: number, dueAt: number])[];
}

export interface ShardSignalsOptions {
  /** The store's connection: publishes go out on it, the subscription gets a duplicate. */
  redis: RedisClient;
  /** One channel per deployment (the store's key prefix makes it unique). */
  channel: string;
  /** This instance's id: its own messages come back to it and are skipped. */
  instanceId: string;
  /** Whether this instance owns the shard right now. */
  owns: (shard: number) => boolean;
  logger: Logger;
  /** Work committed into shards this instance owns, by itself or by another instance. */
  onWork: (work: ShardWork) => void;
  /** The subscription came back after a lost connection: messages may have been missed. */
  onResubscribed: () => void;
}

interface SignalMessage {
  from: string;
  outbox: number[];
  timers: [number, number][];
}

export class ShardSignals {
  private subscriber: RedisClient | undefined;
  /** Work for other instances, gathered over one turn of the event loop and sent as one message. */
  private outgoing: { outbox: Set<number>; timers: Map<number, number> } | undefined;

  constructor(private readonly options: ShardSignalsOptions) {}

  /** Subscribes on a connection of its own (a subscribed connection can do nothing else). */
  async start(): Promise<void> {
    const { redis, channel, logger } = this.options;
    const subscriber = duplicateOf(redis);
    this.subscriber = subscriber;
    let subscribedOnce = false;
    subscriber.on('error', (error: unknown) => {
      logger.warn('shard signal subscription: connection error', { error });
    });
    // ioredis subscribes again by itself after a reconnect; what was sent meanwhile is lost.
    subscriber.on('ready', () => {
      if (subscribedOnce) this.options.onResubscribed();
    });
    subscriber.on('message', (from: string, text: string) => {
      if (from === channel) this.receive(text);
    });
    await subscriber.subscribe(channel);
    subscribedOnce = true;
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /**
   * A commit of this instance put work into `shard` (outbox entries, a timer due at `dueAt`):
   * handed on at once when this instance owns the shard, else signalled to its owner.
   */
  committed(shard: number, work: { outbox?: boolean; dueAt?: number }): void {
    if (this.options.owns(shard)) {
      this.options.onWork({
        outbox: work.outbox ? [shard] : [],
        timers: work.dueAt !== undefined ? [[shard, work.dueAt]] : [],
      });
      return;
    }
    if (!this.outgoing) {
      this.outgoing = { outbox: new Set(), timers: new Map() };
      // One message per batch of commits, not one per saga.
      setImmediate(() => this.flush());
    }
    if (work.outbox) this.outgoing.outbox.add(shard);
    if (work.dueAt !== undefined) {
      const known = this.outgoing.timers.get(shard);
      if (known === undefined || work.dueAt < known) this.outgoing.timers.set(shard, work.dueAt);
    }
  }

  private flush(): void {
    const outgoing = this.outgoing;
    this.outgoing = undefined;
    if (!outgoing) return;
    const message: SignalMessage = {
      from: this.options.instanceId,
      outbox: [...outgoing.outbox],
      timers: [...outgoing.timers],
    };
    // Not awaited by anyone: the commits are durable already, and a lost signal only delays the
    // work until the owner's next poll.
    this.options.redis.publish(this.options.channel, JSON.stringify(message)).catch((error) => {
      this.options.logger.warn('could not signal a shard owner; its next poll finds the work', {
        error,
      });
    });
  }

  private receive(text: string): void {
    let message: SignalMessage;
    try {
      message = JSON.parse(text) as SignalMessage;
    } catch {
      return; // not this runtime's message; the polls cover whatever it meant
    }
    if (message.from === this.options.instanceId) return;
    const { owns } = this.options;
    const outbox = Array.isArray(message.outbox) ? message.outbox.filter(owns) : [];
    const timers = Array.isArray(message.timers)
      ? message.timers.filter(([shard]) => owns(shard))
      : [];
    if (outbox.length > 0 || timers.length > 0) this.options.onWork({ outbox, timers });
  }
}

/** A new connection with the same settings (each class's own `duplicate`, which TypeScript cannot call on the union). */
function duplicateOf(redis: RedisClient): RedisClient {
  return redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
}
