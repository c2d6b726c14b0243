/** The kafkajs implementation of the transport ports; import from here. */
export { stopRequestQueueSpin } from './request-queue-spin.js';
export {
  compileKafkaOptions,
  createKafkaClient,
  isCompiledKafkaOptions,
  KafkaOptionsError,
  RETRIED_KAFKA_CONDITIONS,
  SASL_MECHANISMS,
  type CompiledKafkaOptions,
  type KafkaOptions,
  type KafkaSaslOptions,
  type KafkaTlsOptions,
  type SaslMechanism,
} from './options.js';
export {
  createKafkaPublisher,
  type KafkaPublisher,
  type KafkaPublisherOptions,
} from './publisher.js';
export {
  COMPRESSION_CODEC_IDS,
  defaultCompressionCodecs,
  registerCompressionCodecs,
  replaceCompressionCodec,
  type CompressionCodec,
  type CompressionCodecName,
} from './compression.js';
export { createKafkaSubscriber } from './subscriber.js';
export {
  DEFAULT_CONSUMER_TIMINGS,
  type KafkaSubscriber,
  type KafkaSubscriberOptions,
  type MembershipEvent,
} from './subscriber-options.js';
export { createBrokerProbe, type BrokerProbe, type BrokerProbeOptions } from './broker-probe.js';
export { fetchConsumerLag, totalLag, type ConsumerLagQuery, type PartitionLag } from './lag.js';
export {
  contractTopicSpecs,
  ensureTopics,
  fetchPartitionCount,
  waitForTopicLeaders,
  TopicPartitionMismatchError,
  type ContractTopicsOptions,
  type EnsureTopicsOptions,
  type TopicOutcome,
  type TopicReport,
  type TopicSpec,
} from './topics.js';
