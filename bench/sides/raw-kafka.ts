/**
 * kafkajs used directly, with the batching settings of the project's publisher and subscriber
 * (`wire/kafka/`), for the transport-limit loops:
 *
 * - producer: idempotent, acks = all, one request in flight, Java-compatible partitioner, and
 *   coalescing — every send requested while one `sendBatch` is on the wire goes in the next one;
 * - consumer: `eachBatch`, auto-commit off, offsets resolved and committed after each batch,
 *   the same session, heartbeat, fetch-wait and fetch-size defaults.
 *
 * What it leaves out is what the loops do not need: validation, header decoding, dead-lettering,
 * crash restarts, back-off. So it is a ceiling, not a rival implementation.
 */
import { Partitioners, type Consumer, type Kafka, type Message, type Producer } from 'kafkajs';
import { HEADERS } from '../../wire/contract/headers.js';

export interface RawMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Same defaults as `createKafkaSubscriber` (subscriber.ts). */
export const SUBSCRIBER_DEFAULTS = {
  sessionTimeout: 6_000,
  heartbeatInterval: 1_000,
  rebalanceTimeout: 60_000,
  maxWaitTimeInMs: 1_000,
  maxBytesPerPartition: 1_048_576,
} as const;

/** One `sendBatch` in flight; whatever queues meanwhile goes in the next. */
export class CoalescingSender {
  private queue: { messages: RawMessage[]; resolve: () => void; reject: (e: unknown) => void }[] =
    [];
  private sending = false;
  private readonly producer: Producer;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  send(messages: RawMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.sending) queueMicrotask(() => this.pump());
    });
  }

  async close(): Promise<void> {
    while (this.sending || this.queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await this.producer.disconnect();
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    const calls = this.queue;
    this.queue = [];
    this.sending = true;
    const byTopic = new Map<string, Message[]>();
    for (const call of calls) {
      for (const { topic, key, value, headers } of call.messages) {
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push({ key, value, headers });
      }
    }
    this.producer
      .sendBatch({
        acks: -1,
        timeout: 30_000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      })
      .then(
        () => calls.forEach((call) => call.resolve()),
        (error: unknown) => calls.forEach((call) => call.reject(error)),
      )
      .finally(() => {
        this.sending = false;
        this.pump();
      });
  }
}

export interface RawBatch {
  topic: string;
  /** key, the message type header, and the raw value of each message. */
  messages: { key: string; type: string; value: Buffer | null }[];
}

/**
 * Consumes `topics` in group `groupId` with `eachBatch`; commits each batch after `handle`
 * resolved. Resolves once the group is joined.
 */
export async function startRawConsumer(
  kafka: Kafka,
  options: {
    groupId: string;
    topics: string[];
    partitionsConsumedConcurrently: number;
    handle: (batch: RawBatch) => Promise<void>;
  },
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: options.groupId,
    ...SUBSCRIBER_DEFAULTS,
    allowAutoTopicCreation: false,
  });
  const joined = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, () => resolve());
  });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const last = batch.messages[batch.messages.length - 1];
      if (!last) return;
      await options.handle({
        topic: batch.topic,
        messages: batch.messages.map((message) => ({
          key: message.key?.toString('utf8') ?? '',
          type: message.headers?.[HEADERS.messageType]?.toString() ?? '',
          value: message.value,
        })),
      });
      payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }],
          },
        ],
      });
    },
  });
  await joined;
  return consumer;
}
