/**
 * Side A of an orchestrator session: the real orchestrator (`createOrchestrator`, production
 * defaults) with the order saga, and the load driver calling `startSaga`. A saga counts as done
 * when the orchestrator commits its end state: the `stepWritten` runtime hook sees it, which
 * costs nothing extra (no `waitForResult` poll, no additional Redis read).
 */
import { Redis } from 'ioredis';
import type { Orchestrator, OrchestratorOptions } from '../../orchestrator/runtime/orchestrator.js';
import { createKafkaClient } from '../../wire/kafka/index.js';
import { createLogger } from '../../wire/telemetry/logger.js';
import { orderSaga } from '../../sagas/order/index.js';
import { LoadDriver, type LoadTarget } from '../load/load-driver.js';
import { orderInput } from '../load/order-input.js';

export interface OrchestratorSideConfig {
  brokers: string[];
  redisUrl: string;
  topicPrefix: string;
  keyPrefix: string;
  /** The ids this process's driver gives its sagas; no other process's may start with it. */
  idPrefix: string;
  /** Store retention of ended sagas, ms (the janitor purges them afterwards). */
  retentionMs: number;
  /** The orchestrator's `lifecycleEvents` level; its default (`saga`) when absent. */
  lifecycleEvents?: 'saga' | 'steps' | 'none';
}

/**
 * With several orchestrator processes on the same topics and keys, a saga one process started may
 * end in another (whoever holds its reply partition): that process hands the end to this callback,
 * and the bench routes it to the starter's driver.
 */
export type ForeignEnd = (sagaId: string, ok: boolean) => void;

export interface OrchestratorSide {
  driver: LoadDriver;
  orchestrator: Orchestrator;
  /** Kafka records the outbox relay published since the last `takePublished()`. */
  takePublished(): number;
  outboxBacklog(): Promise<number>;
  stop(): Promise<void>;
}

export async function startOrchestratorSide(
  config: OrchestratorSideConfig,
  onForeignEnd?: ForeignEnd,
): Promise<OrchestratorSide> {
  const logger = createLogger('orchestrator', { level: 'info' });
  let published = 0;
  const target: LoadTarget = {
    async start(sagaId) {
      const outcome = await orchestrator.startSaga({
        type: 'order',
        id: sagaId,
        input: orderInput(sagaId),
      });
      if (outcome.status !== 'started') {
        throw new Error(`saga ${sagaId} was not started: ${outcome.status}`);
      }
    },
  };
  const driver = new LoadDriver(target, config.idPrefix);
  const shared = {
    definitions: [orderSaga],
    topicPrefix: config.topicPrefix,
    store: { keyPrefix: config.keyPrefix, retentionMs: config.retentionMs },
    logger,
    // The driver created the topics (the reply-partition runs need replies ≠ commands).
    tuning: {
      createTopics: false,
      ...(config.lifecycleEvents ? { lifecycleEvents: config.lifecycleEvents } : {}),
    },
    hooks: {
      stepWritten: ({ after }) => {
        if (after.status === 'running') return;
        const ok = after.status === 'completed';
        if (after.id.startsWith(config.idPrefix)) driver.completed(after.id, ok);
        else onForeignEnd?.(after.id, ok);
      },
      outboxPublished: ({ count }) => {
        published += count;
      },
    },
  } satisfies Omit<OrchestratorOptions, 'redis' | 'kafka'>;
  const { orchestrator, stop } = await assemble(config, shared);
  return {
    driver,
    orchestrator,
    takePublished() {
      const count = published;
      published = 0;
      return count;
    },
    outboxBacklog: () => orchestrator.store.outboxBacklog(),
    stop,
  };
}

/**
 * The orchestrator assembled as production assembles it (`createOrchestratorService`, measured
 * without telemetry: its cost is not the orchestrator's). `bench/compare.ts` also drives refs from
 * before that function existed with this harness: for them the same pieces are wired here.
 */
async function assemble(
  config: OrchestratorSideConfig,
  options: Omit<OrchestratorOptions, 'redis' | 'kafka'>,
): Promise<{ orchestrator: Orchestrator; stop: () => Promise<void> }> {
  const service = await import('../../orchestrator/service/index.js').catch(() => undefined);
  if (service) {
    const running = service.createOrchestratorService({
      ...options,
      redis: { connect: { url: config.redisUrl } },
      kafka: { connect: { brokers: config.brokers, clientId: 'bench-orchestrator' } },
      telemetry: false,
    });
    await running.start();
    return { orchestrator: running.orchestrator, stop: () => running.stop() };
  }
  const { createOrchestrator } = await import('../../orchestrator/runtime/orchestrator.js');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const kafka = createKafkaClient({
    brokers: config.brokers,
    clientId: 'bench-orchestrator',
    logger: options.logger?.child('kafka') ?? createLogger('kafka'),
  });
  const orchestrator = createOrchestrator({ ...options, redis, kafka });
  await orchestrator.start();
  return {
    orchestrator,
    async stop() {
      await orchestrator.stop();
      redis.disconnect();
    },
  };
}
