/**
 * Whether the participant process can reach what it needs, checked every second in the
 * background so that `/readyz` (asked synchronously) answers with a fresh view: Redis answers a
 * PING (the examples keep their state and command ledger there) and a Kafka broker answers a
 * metadata request. A consumer alone does not say so: it stays "in its group" for a long while
 * after the broker died.
 */
import type { RedisClient } from './sdk/index.js';
import { createBrokerProbe, type BrokerProbe } from '../wire/kafka/index.js';
import { answeredWithin } from '../wire/transport/index.js';
import type { Kafka } from 'kafkajs';

export interface ConnectionState {
  redis: boolean;
  kafkaBroker: boolean;
}

export interface ConnectionChecks {
  /** The latest result; undefined before the first round finished. */
  latest(): ConnectionState | undefined;
  stop(): Promise<void>;
}

export function watchConnections(options: {
  redis: RedisClient;
  kafka: Kafka;
  /** @default 1000 */
  intervalMs?: number;
  /** A check that has not answered within this failed. @default 1500 */
  timeoutMs?: number;
}): ConnectionChecks {
  const intervalMs = options.intervalMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  const probe: BrokerProbe = createBrokerProbe({ kafka: options.kafka, timeoutMs });
  let latest: ConnectionState | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const round = async () => {
    const [redis, kafkaBroker] = await Promise.all([
      answeredWithin(
        options.redis.ping().then((reply) => reply === 'PONG'),
        timeoutMs,
      ),
      probe.reachable(),
    ]);
    latest = { redis, kafkaBroker };
    if (!stopped) timer = setTimeout(() => void round(), intervalMs);
  };
  void round();

  return {
    latest: () => latest,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await probe.close();
    },
  };
}
