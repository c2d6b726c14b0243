/**
 * The participant transport on Kafka: the project's kafkajs publisher and subscriber
 * (`wire/kafka`), one client and one publisher shared by every participant
 * started with it. The SDK's logic only sees the ports.
 */
import {
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  type KafkaOptions,
  type KafkaPublisherOptions,
  type KafkaSubscriberOptions,
} from '../../wire/kafka/index.js';
import type { Logger as ProjectLogger } from '../../wire/telemetry/index.js';
import type { ParticipantTransport } from './participant-transport.js';

/** Consumer settings shared by the transport's subscribers (timeouts, fetch sizes, back-off). */
export type ParticipantSubscriberSettings = Omit<
  KafkaSubscriberOptions,
  'kafka' | 'groupId' | 'topics' | 'fromBeginning' | 'partitionsConsumedConcurrently' | 'logger'
>;

export interface KafkaParticipantTransportOptions {
  /** How to reach the cluster (brokers, client id, SASL, TLS). */
  kafka: KafkaOptions;
  subscriber?: ParticipantSubscriberSettings;
  publisher?: Omit<KafkaPublisherOptions, 'kafka' | 'logger'>;
  /** Logger of the publisher, the subscribers and (unless `kafka.logger` is set) kafkajs. @default the transport's own */
  logger?: ProjectLogger;
}

export interface KafkaParticipantTransport extends ParticipantTransport {
  /** Closes the publisher (after its queue drained). Stop the participants first. */
  close(): Promise<void>;
}

/**
 * Connects a publisher and returns a transport for {@link startParticipant}.
 *
 * @example
 * const transport = await kafkaParticipantTransport({ kafka: { brokers: ['localhost:9092'] } });
 * const running = await startParticipant(inventory, { transport, redis });
 * // …
 * await running.stop();
 * await transport.close();
 */
export async function kafkaParticipantTransport(
  options: KafkaParticipantTransportOptions,
): Promise<KafkaParticipantTransport> {
  const logger = options.logger;
  const kafka = createKafkaClient({
    clientId: 'saga-participant',
    ...(logger ? { logger } : {}),
    ...options.kafka,
  });
  const publisher = await createKafkaPublisher({
    ...options.publisher,
    kafka,
    ...(logger ? { logger: logger.child('publisher') } : {}),
  });
  return {
    publisher,
    subscriber: (subscription) =>
      createKafkaSubscriber({
        ...options.subscriber,
        ...subscription,
        kafka,
        ...(logger ? { logger: logger.child('subscriber') } : {}),
      }),
    close: () => publisher.close(),
  };
}
