/**
 * The kafkajs {@link MessagePublisher}: an idempotent producer (acks=all) with the Java-compatible
 * murmur2 partitioner, so a `sagaId` key lands on the partition a Java client would choose.
 *
 * Batching. kafkajs does not batch by itself, and awaiting one `send` at a time caps throughput.
 * Here each `publish` call joins a queue; one `sendBatch` is in flight at a time and carries
 * every call that arrived while the previous one was on the wire (up to `maxBatchBytes`), grouped
 * per topic. A burst of N concurrent calls costs two round trips instead of N, calls keep their
 * order (per key, too), and each call resolves when the batch holding it was acknowledged.
 *
 * Failure. When a `sendBatch` fails, every call in it rejects and the producer is replaced by a
 * fresh one before the next send. The fate of the failed batch is unknown (it may have been
 * written); a new producer id guarantees its sequence numbers are never reused for other
 * messages, which the broker would otherwise acknowledge as duplicates and drop. The caller
 * re-publishes (at least once); consumers deduplicate.
 */
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { MessagePublisher, OutgoingMessage } from '../transport/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';
import { approximateSize, toKafkaMessage } from './message-codec.js';
import { stopRequestQueueSpin } from './request-queue-spin.js';

export interface KafkaPublisherOptions {
  /** The client, from `createKafkaClient`. */
  kafka: Kafka;
  /** @default createLogger('transport').child('publisher') */
  logger?: Logger;
  /**
   * Calls waiting in the queue are merged into one `sendBatch` while their estimated size stays
   * under this many bytes (a single larger call is sent alone). Keep it below the broker's
   * `message.max.bytes` (1 MiB by default), which limits one partition's share of a request.
   * @default 900000
   */
  maxBatchBytes?: number;
  /**
   * Time the broker has to acknowledge a batch from all in-sync replicas, in ms.
   * @default 30000
   */
  ackTimeoutMs?: number;
  /**
   * How often kafkajs retries a retriable send error before the batch fails.
   * @default 5
   */
  sendRetries?: number;
}

/** A {@link MessagePublisher} with a look at its queue (for metrics and tests). */
export interface KafkaPublisher extends MessagePublisher {
  /** Messages accepted by `publish` and not yet acknowledged or failed. */
  pendingMessages(): number;
  /** `sendBatch` calls made so far (each carries one or more `publish` calls). */
  sentBatches(): number;
}

interface QueuedCall {
  readonly messages: readonly OutgoingMessage[];
  readonly size: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** Creates the publisher and connects its producer; resolves once connected. */
export async function createKafkaPublisher(
  options: KafkaPublisherOptions,
): Promise<KafkaPublisher> {
  // The client may come from elsewhere (tests make their own): its connections must not spin.
  stopRequestQueueSpin();
  const publisher = new CoalescingPublisher(options);
  await publisher.connect();
  return publisher;
}

class CoalescingPublisher implements KafkaPublisher {
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private readonly maxBatchBytes: number;
  private readonly ackTimeoutMs: number;
  private readonly sendRetries: number;
  private readonly queue: QueuedCall[] = [];
  private producer: Producer;
  private connected: Promise<void> | undefined;
  private retiring: Array<Promise<void>> = [];
  private inFlight: QueuedCall[] = [];
  private pumpScheduled = false;
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;
  private batches = 0;

  constructor(options: KafkaPublisherOptions) {
    this.kafka = options.kafka;
    this.logger = options.logger ?? createLogger('transport').child('publisher');
    this.maxBatchBytes = positiveInteger('maxBatchBytes', options.maxBatchBytes ?? 900_000);
    this.ackTimeoutMs = positiveInteger('ackTimeoutMs', options.ackTimeoutMs ?? 30_000);
    this.sendRetries = positiveInteger('sendRetries', options.sendRetries ?? 5);
    this.producer = this.newProducer();
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing)
      return Promise.reject(new Error('publish after close: the publisher is closed'));
    if (messages.length === 0) return Promise.resolve();
    for (const message of messages) {
      if (typeof message.topic !== 'string' || message.topic === '') {
        return Promise.reject(new TypeError('publish: every message needs a topic'));
      }
      if (typeof message.key !== 'string') {
        return Promise.reject(new TypeError(`publish: a message to ${message.topic} has no key`));
      }
    }
    const size = messages.reduce((sum, message) => sum + approximateSize(message), 0);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages: [...messages], size, resolve, reject });
      this.schedulePump();
    });
  }

  pendingMessages(): number {
    const count = (calls: readonly QueuedCall[]) =>
      calls.reduce((sum, call) => sum + call.messages.length, 0);
    return count(this.queue) + count(this.inFlight);
  }

  sentBatches(): number {
    return this.batches;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.queue.length > 0 || this.inFlight.length > 0) {
        await new Promise<void>((resolve) => (this.idle = resolve));
      }
      await Promise.allSettled(this.retiring);
      await this.producer.disconnect();
    })();
    return this.closing;
  }

  /** Calls made in the same tick join one batch: pump on the next microtask, not right away. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight.length > 0) return;
    if (this.queue.length === 0) {
      this.idle?.();
      this.idle = undefined;
      return;
    }
    let bytes = 0;
    const batch: QueuedCall[] = [];
    while (this.queue.length > 0) {
      const next = this.queue[0] as QueuedCall;
      if (batch.length > 0 && bytes + next.size > this.maxBatchBytes) break;
      batch.push(next);
      bytes += next.size;
      this.queue.shift();
    }
    this.inFlight = batch;
    void this.send(batch).finally(() => {
      this.inFlight = [];
      this.pump();
    });
  }

  private async send(calls: readonly QueuedCall[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const call of calls) {
      for (const message of call.messages) {
        let list = byTopic.get(message.topic);
        if (!list) byTopic.set(message.topic, (list = []));
        list.push(toKafkaMessage(message));
      }
    }
    try {
      await this.connect();
      this.batches += 1;
      await this.producer.sendBatch({
        acks: -1,
        timeout: this.ackTimeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const call of calls) call.resolve();
    } catch (error) {
      this.logger.warn('publish failed; the producer is replaced and the callers re-publish', {
        topics: [...byTopic.keys()],
        messages: calls.reduce((sum, call) => sum + call.messages.length, 0),
        error,
      });
      this.replaceProducer();
      for (const call of calls) call.reject(error);
    }
  }

  private replaceProducer(): void {
    const old = this.producer;
    this.retiring.push(old.disconnect().catch(() => undefined));
    this.producer = this.newProducer();
    this.connected = undefined;
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      // One request in flight per broker connection keeps kafkajs' sequence numbers in order.
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      retry: { retries: this.sendRetries },
    });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`Kafka publisher option ${name} must be a positive whole number`);
  }
  return value;
}
