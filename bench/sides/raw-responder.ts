/**
 * Side B of a transport-limit session: for each of the three command topics a consumer in its own
 * group (as the three participants have), answering every command with a success reply through
 * one shared coalescing producer, and committing the batch once its replies are acknowledged (as
 * the SDK does). No validation, no ledger: the trivial responder.
 */
import type { Consumer } from 'kafkajs';
import { topicNames } from '../../wire/contract/topics.js';
import { createLogger } from '../../wire/telemetry/logger.js';
import { createKafkaClient } from '../../wire/kafka/index.js';
import { CoalescingSender, startRawConsumer } from './raw-kafka.js';
import { RAW_STEPS, replyRecord } from './raw-messages.js';

export interface RawResponderConfig {
  brokers: string[];
  topicPrefix: string;
}

/** The SDK's default: partitions handled at once, per participant. */
const PARTITIONS_CONCURRENTLY = 4;

export async function startRawResponder(config: RawResponderConfig): Promise<{
  handled(): number;
  stop(): Promise<void>;
}> {
  const logger = createLogger('raw-responder', { level: 'info' });
  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: 'bench-raw-responder',
    logger,
  });
  const sender = new CoalescingSender(kafka);
  await sender.connect();
  const topics = topicNames(config.topicPrefix);
  let handled = 0;
  const consumers: Consumer[] = [];
  for (const { participant } of RAW_STEPS) {
    consumers.push(
      await startRawConsumer(kafka, {
        groupId: `${config.topicPrefix}.raw-${participant}`,
        topics: [topics.commands(participant)],
        partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
        handle: async (batch) => {
          const replies = batch.messages.flatMap((message) =>
            message.value ? [replyRecord(message.value)] : [],
          );
          handled += replies.length;
          await sender.send(replies);
        },
      }),
    );
  }
  return {
    handled: () => handled,
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      await sender.close();
    },
  };
}
