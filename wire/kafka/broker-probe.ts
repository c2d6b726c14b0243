/**
 * Is the broker there right now? A kafkajs consumer stays "joined" and a producer "connected"
 * for long after the broker died (they only notice when a request of theirs fails, and then
 * retry), so readiness cannot be read off them. The probe asks instead: one metadata request
 * with no retries, bounded by its own timeout so that a hung broker (SIGSTOP, a network black
 * hole) answers "unreachable" as quickly as a refused connection does.
 */
import type { Admin, Kafka } from 'kafkajs';
import { answeredWithin } from '../transport/index.js';

export interface BrokerProbe {
  /** True when a broker answered a metadata request within the timeout. Never rejects. */
  reachable(): Promise<boolean>;
  /** Closes the probe's connection. */
  close(): Promise<void>;
}

export interface BrokerProbeOptions {
  /** The client, from `createKafkaClient`; the probe opens its own admin connection on it. */
  kafka: Kafka;
  /**
   * Longest a probe waits for the broker, in ms.
   * @default 1500
   */
  timeoutMs?: number;
}

export function createBrokerProbe({ kafka, timeoutMs = 1_500 }: BrokerProbeOptions): BrokerProbe {
  // One try per probe: the caller probes again on its own schedule, and a retried request would
  // only report the outage late.
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let connected: Promise<void> | undefined;
  const ask = async (): Promise<boolean> => {
    connected ??= admin.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    await connected;
    // An empty topic list still makes kafkajs send a metadata request to a broker.
    await admin.fetchTopicMetadata({ topics: [] });
    return true;
  };
  return {
    reachable: () => answeredWithin(ask(), timeoutMs),
    async close() {
      if (connected) await connected.then(() => admin.disconnect()).catch(() => undefined);
      connected = undefined;
    },
  };
}
