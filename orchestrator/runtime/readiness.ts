/**
 * What `/readyz` reports for an orchestrator instance, and the checks behind it: run every second
 * by the availability watch (availability.ts), whose latest answer both `/readyz` and the timer
 * poller act on.
 */
import type { BrokerProbe } from '../../wire/kafka/index.js';
import { answeredWithin } from '../../wire/transport/index.js';
import type { RedisClient } from '../store/index.js';
import type { AvailabilityChecks } from './availability.js';

export interface Readiness {
  ready: boolean;
  /**
   * `redis`: answers a PING; `kafkaBroker`: a broker answers a metadata request; `kafkaConsumer`:
   * the consumer is in its group; `started`: start-up finished and stop has not begun. The first
   * three are checked every `availabilityCheckIntervalMs`.
   */
  checks: { redis: boolean; kafkaBroker: boolean; kafkaConsumer: boolean; started: boolean };
}

/** One round of the checks, each bounded by `timeoutMs`. */
export async function checkConnections(sources: {
  redis: RedisClient;
  brokerProbe: BrokerProbe | undefined;
  consumerJoined: boolean;
  timeoutMs: number;
}): Promise<AvailabilityChecks> {
  const [redis, kafkaBroker] = await Promise.all([
    answeredWithin(
      sources.redis.ping().then((reply) => reply === 'PONG'),
      sources.timeoutMs,
    ),
    sources.brokerProbe?.reachable() ?? Promise.resolve(false),
  ]);
  return { redis, kafkaBroker, kafkaConsumer: sources.consumerJoined };
}

/** Ready when start-up is done and every check of the latest round passed. */
export function readinessOf(latest: AvailabilityChecks | undefined, started: boolean): Readiness {
  const checks = {
    redis: latest?.['redis'] ?? false,
    kafkaBroker: latest?.['kafkaBroker'] ?? false,
    kafkaConsumer: latest?.['kafkaConsumer'] ?? false,
    started,
  };
  return { ready: Object.values(checks).every(Boolean), checks };
}
