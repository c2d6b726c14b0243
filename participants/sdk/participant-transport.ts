/**
 * What a participant needs from the message broker, in the project's own ports: a publisher for
 * replies and dead letters, and subscribers for its command topic. Kafka provides both
 * (`kafkaParticipantTransport`); anything that implements the ports would do.
 */
import type {
  MessagePublisher,
  MessageSubscriber,
  SubscriptionOptions,
} from '../../wire/transport/index.js';

export interface ParticipantTransport {
  readonly publisher: MessagePublisher;
  subscriber(options: SubscriptionOptions): MessageSubscriber;
}
