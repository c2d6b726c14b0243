/**
 * The transport ports (what the orchestrator and participants publish and consume, whatever the
 * broker), the dead-letter helpers and the time bound of health checks; the Kafka adapter that implements them is wire/kafka.
 */
export * from './ports.js';
export * from './dead-letter.js';
export { answeredWithin } from './answered-within.js';
