/**
 * The transport ports (what the orchestrator and participants publish and consume, whatever the
 * broker) and the dead-letter helpers; the Kafka adapter that implements them is wire/kafka.
 */
export * from './ports.js';
export * from './dead-letter.js';
