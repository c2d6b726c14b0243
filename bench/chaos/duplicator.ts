/**
 * Duplicate and reordered deliveries: a consumer of its own group reads every command topic and
 * the replies topic and produces a chosen share of the messages again — some at once, the others
 * after a random delay and shuffled, so a copy arrives after what followed its original (a reply
 * after the saga moved on, a command after its compensation). Copies carry a header so that they
 * are not copied again. Which messages are copied is decided by the seed.
 */
import type { Kafka } from 'kafkajs';
import { deterministicFraction } from '../../participants/examples/index.js';
import { createKafkaSubscriber } from '../../wire/kafka/index.js';
import type { IncomingMessage } from '../../wire/transport/ports.js';
import { silentLogger } from '../../wire/telemetry/logger.js';
import { PARTICIPANTS } from './cluster.js';

const COPY_HEADER = 'x-chaos-copy';

export interface DuplicatorCounts {
  commands: number;
  replies: number;
  /** Copies held back and produced later, out of order. */
  delayed: number;
}

export interface Duplicator {
  counts(): DuplicatorCounts;
  stop(): Promise<void>;
}

export interface DuplicatorOptions {
  kafka: Kafka;
  prefix: string;
  seed: string;
  /** Share of the messages copied (0 to 1). */
  share: number;
  /** Longest hold of a delayed copy, ms. */
  maxDelayMs: number;
}

export async function startDuplicator(options: DuplicatorOptions): Promise<Duplicator> {
  const { kafka, prefix, seed } = options;
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const counts: DuplicatorCounts = { commands: 0, replies: 0, delayed: 0 };
  const held = new Set<Promise<void>>();
  let stopping = false;
  const copy = async (topic: string, messages: readonly IncomingMessage[]) => {
    if (messages.length === 0 || stopping) return;
    await producer.send({
      topic,
      messages: messages.map((m) => ({
        key: m.key,
        value: m.value,
        headers: { ...m.headers, [COPY_HEADER]: '1' },
      })),
    });
    if (topic.endsWith('.replies')) counts.replies += messages.length;
    else counts.commands += messages.length;
  };
  const subscriber = createKafkaSubscriber({
    kafka,
    groupId: `${prefix}.chaos-duplicator`,
    topics: PARTICIPANTS.map((p) => `${prefix}.${p}.commands`).concat(`${prefix}.replies`),
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
    partitionsConsumedConcurrently: 4,
  });
  await subscriber.start(async (messages, { topic }) => {
    const now: IncomingMessage[] = [];
    const later: IncomingMessage[] = [];
    for (const m of messages) {
      if (m.headers[COPY_HEADER] !== undefined) continue;
      const label = `${m.topic}/${m.partition}/${m.offset}`;
      const coin = deterministicFraction(seed, label);
      if (coin >= options.share) continue;
      // Half the copies at once, half held back (shuffled by their own delays).
      (coin < options.share / 2 ? now : later).push(m);
    }
    await copy(topic, now);
    for (const m of later) {
      const delay =
        deterministicFraction(seed, `delay/${m.topic}/${m.offset}`) * options.maxDelayMs;
      const sent: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, delay))
        .then(() => copy(topic, [m]))
        .then(() => void (counts.delayed += 1))
        .catch(() => undefined)
        .finally(() => held.delete(sent));
      held.add(sent);
    }
  });
  return {
    counts: () => ({ ...counts }),
    async stop() {
      await Promise.all([...held]);
      stopping = true;
      await subscriber.stop();
      await producer.disconnect();
    },
  };
}
