/**
 * Keeps a fixed number of order sagas running on a set of orchestrator processes through the
 * wire contract alone, as another service would: start requests on `<prefix>.requests` (one
 * batch per top-up, keyed by their idempotency key) and the sagas' ends read from
 * `<prefix>.events` (the default lifecycle level, `saga`, publishes them). Each end makes room for
 * the next start (closed loop: the system's own pace sets the rate). Kafka spreads both topics'
 * partitions over the orchestrators, so no orchestrator is the driver's favourite.
 */
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { topicNames } from '../../wire/contract/topics.js';
import { orderInput } from '../load/order-input.js';

/** Lifecycle events after which nothing moves the saga without an operator. */
const AT_REST_EVENTS = new Set([
  'SagaCompleted',
  'SagaCompensated',
  'SagaFailed',
  'SagaCancelled',
  'SagaParked',
]);

/** How often the driver tops the sagas in flight up (one request batch each time at most). */
const TOP_UP_EVERY_MS = 10;

export interface ClosedLoopOptions {
  brokers: string[];
  /** The round's topic prefix (SAGA_TOPIC_PREFIX of its processes). */
  prefix: string;
  inFlight: number;
}

export interface ClosedLoop {
  /** Sagas started so far (requests the broker acknowledged). */
  started(): number;
  /** Distinct sagas that reached rest so far. */
  ended(): number;
  /** Distinct sagas at rest, by their end event. */
  endedByEvent(): Record<string, number>;
  /** Stops sending and consuming; the sagas in flight are left as they are. */
  stop(): Promise<void>;
}

export async function startClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoop> {
  const topics = topicNames(options.prefix);
  const kafka = new Kafka({
    clientId: `${options.prefix}-driver`,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const ended = new Set<string>();
  const byEvent: Record<string, number> = {};
  const consumer: Consumer = kafka.consumer({
    groupId: `${options.prefix}.scale-driver`,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const producer: Producer = kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.GROUP_JOIN, () => {
      off();
      resolve();
    });
  });
  await consumer.subscribe({ topic: topics.events, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        if (!message.value) continue;
        const event = JSON.parse(message.value.toString()) as { sagaId: string; event: string };
        if (!AT_REST_EVENTS.has(event.event) || ended.has(event.sagaId)) continue;
        ended.add(event.sagaId);
        byEvent[event.event] = (byEvent[event.event] ?? 0) + 1;
      }
    },
  });
  await joined;

  let started = 0;
  let sequence = 0;
  let stopped = false;
  let failure: Error | undefined;
  const topUps = (async () => {
    while (!stopped) {
      // Every end on the round's fresh topics is of a saga this driver started.
      const room = options.inFlight - (started - ended.size);
      if (room > 0) {
        const keys = Array.from({ length: room }, () => `${options.prefix}-${sequence++}`);
        try {
          await producer.send({
            topic: topics.requests,
            messages: keys.map((key) => ({
              key,
              value: JSON.stringify({ type: 'order', input: orderInput(key), idempotencyKey: key }),
            })),
          });
          started += keys.length;
        } catch (error) {
          failure = error as Error;
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, TOP_UP_EVERY_MS));
    }
  })();

  return {
    started: () => {
      if (failure) throw new Error(`the driver could not send start requests: ${failure.message}`);
      return started;
    },
    ended: () => ended.size,
    endedByEvent: () => ({ ...byEvent }),
    async stop() {
      stopped = true;
      await topUps;
      await Promise.all([consumer.disconnect(), producer.disconnect()]);
    },
  };
}
