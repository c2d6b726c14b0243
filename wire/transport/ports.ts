/**
 * The project's own narrow doors onto the message broker. Everything above the transport (the
 * orchestrator's relay and consumers, the participant SDK) talks to these interfaces, never to
 * kafkajs, so the client library can be swapped (kafkajs is in maintenance mode) without touching
 * the rooms that use it. `kafka/` holds the kafkajs implementation.
 */

/** Header values are strings on the way in and out; binary headers are not part of the contract. */
export type MessageHeaders = Record<string, string>;

export interface OutgoingMessage {
  topic: string;
  /** Every message of the contract is keyed by `sagaId`: one saga, one partition, in order. */
  key: string;
  value: string | Buffer;
  headers?: MessageHeaders;
}

/**
 * Publishes batches. `publish` resolves once the broker has acknowledged every message of the
 * batch (acks=all, idempotent producer); it rejects if any could not be written, in which case
 * the caller re-publishes the whole batch (at least once).
 */
export interface MessagePublisher {
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as decimal strings. */
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: MessageHeaders;
  /** Broker timestamp, ms since the epoch. */
  timestamp: number;
}

export interface BatchContext {
  topic: string;
  partition: number;
  /** Keeps the group membership alive during long work. */
  heartbeat(): Promise<void>;
  /**
   * True once a rebalance took the partition away or the subscriber is stopping: stop early.
   * To stop early, reject: resolving commits the whole batch, including what was not handled.
   * A rejected batch is not committed and reaches whichever member owns the partition next.
   */
  isStale(): boolean;
}

/**
 * Handles one batch from one partition. The subscriber commits the batch's offsets only after
 * the returned promise resolves; if it rejects, nothing of the batch is committed and the batch
 * is delivered again (after a back-off). A handler must therefore be idempotent, and must deal
 * with poison messages itself (dead-letter them) instead of rejecting forever.
 */
export type BatchHandler = (
  messages: readonly IncomingMessage[],
  context: BatchContext,
) => Promise<void>;

/** A message the transport could not hand to a handler (its record batch was undecodable), and why. */
export interface UndecodableEntry {
  message: IncomingMessage;
  /** `code` is `UNDECODABLE`; `reason` names the codec, its error, the partition and offsets. */
  reason: { code: string; reason: string };
}

/** Publishes {@link UndecodableEntry}s to the dead-letter topic; resolves once acknowledged. */
export type UndecodableSink = (entries: readonly UndecodableEntry[]) => Promise<void>;

export interface SubscriptionOptions {
  groupId: string;
  topics: readonly string[];
  /** Start from the earliest offset when the group has none (default true). */
  fromBeginning?: boolean;
  /** Partitions processed at once (default 1). Order within a partition is always kept. */
  partitionsConsumedConcurrently?: number;
  /**
   * Where records of a batch that cannot be decompressed go instead of the handler (they are
   * committed once this resolves; if it rejects, the batch is retried like a handler failure).
   * Without it they are logged as errors and skipped.
   */
  deadLetterUndecodable?: UndecodableSink;
}

export interface MessageSubscriber {
  /** Joins the group and starts delivering batches; resolves once the first join completed. */
  start(handler: BatchHandler): Promise<void>;
  /** Stops fetching, waits for the batch in hand to finish and commit, leaves the group. */
  stop(): Promise<void>;
  /** True while the subscriber is a member of its group with partitions assigned (or none to have). */
  isJoined(): boolean;
}
