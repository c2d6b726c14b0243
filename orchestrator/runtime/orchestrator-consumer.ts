/**
 * The orchestrator's one Kafka consumer: the replies topic (every participant's replies, applied
 * to their sagas) and the requests topic (sagas started over Kafka), in one consumer group, with
 * whatever cannot be read or run dead-lettered on `<prefix>.dlq` so nothing blocks a partition.
 * Its group's assignment is also the instances' one membership: it decides the store shards each
 * instance relays and fires timers for (shard-ownership.ts).
 */
import type { Kafka } from 'kafkajs';
import type { TopicNames } from '../../wire/contract/index.js';
import {
  createKafkaSubscriber,
  type KafkaSubscriber,
  type MembershipEvent,
} from '../../wire/kafka/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import { createDeadLetterPublisher, type MessagePublisher } from '../../wire/transport/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { OrchestratorTuning } from './orchestrator-options.js';
import { createReplyHandler, type ReplyConsumerOptions } from './reply-consumer.js';
import { createRequestHandler, type RequestConsumerOptions } from './request-consumer.js';

export interface OrchestratorConsumerOptions {
  kafka: Kafka;
  topics: TopicNames;
  /** Publishes the dead letters. */
  publisher: MessagePublisher;
  /** @default `<prefix>.orchestrator` */
  groupId?: string | undefined;
  partitionsConsumedConcurrently?: number | undefined;
  timings: NonNullable<OrchestratorTuning['consumer']>;
  applyBatch: ReplyConsumerOptions['applyBatch'];
  startSaga: RequestConsumerOptions['startSaga'];
  logger: Logger;
  hooks: RuntimeHooks;
  /** Every change of this member's assignment: the shards follow it (shard-ownership.ts). */
  onMembership: (event: MembershipEvent) => void;
}

/** Creates the consumer and starts it; resolves once it has joined its group. */
export async function startOrchestratorConsumer(
  options: OrchestratorConsumerOptions,
): Promise<KafkaSubscriber> {
  const { kafka, topics, logger: log, hooks } = options;
  const deadLetters = createDeadLetterPublisher({
    publisher: options.publisher,
    topic: topics.dlq,
    source: 'orchestrator',
  });
  const onReplies = createReplyHandler({
    applyBatch: options.applyBatch,
    deadLetterAll: (entries) => deadLetters.deadLetterAll(entries),
    logger: log.child('replies'),
    hooks,
  });
  const onRequests = createRequestHandler({
    startSaga: options.startSaga,
    deadLetterAll: (entries) => deadLetters.deadLetterAll(entries),
    logger: log.child('requests'),
    hooks,
  });
  const subscriber = createKafkaSubscriber({
    kafka,
    groupId: options.groupId ?? `${topics.prefix}.orchestrator`,
    topics: [topics.replies, topics.requests],
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    deadLetterUndecodable: async (entries) => {
      await deadLetters.deadLetterAll(entries);
      for (const { message, reason } of entries) {
        hooks.deadLettered?.({
          source: 'orchestrator.consumer',
          topic: message.topic,
          code: reason.code,
        });
      }
    },
    logger: log.child('consumer'),
    onMembership: options.onMembership,
    ...options.timings,
  });
  await subscriber.start((messages, context) =>
    context.topic === topics.requests
      ? onRequests(messages, context)
      : onReplies(messages, context),
  );
  return subscriber;
}
