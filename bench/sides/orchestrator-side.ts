/**
 * Side A of an orchestrator session: the real orchestrator (`createOrchestrator`, production
 * defaults) with the order saga, and the load driver calling `startSaga`. A saga counts as done
 * when the orchestrator commits its end state: the `stepWritten` runtime hook sees it, which
 * costs nothing extra (no `waitForResult` poll, no additional Redis read).
 */
import type { Orchestrator } from '../../orchestrator/runtime/index.js';
import { createOrchestratorService } from '../../orchestrator/service/index.js';
import { createLogger } from '../../wire/telemetry/logger.js';
import { orderSaga } from '../../sagas/order/index.js';
import { LoadDriver, type LoadTarget } from '../load/load-driver.js';
import { orderInput } from '../load/order-input.js';

export interface OrchestratorSideConfig {
  brokers: string[];
  redisUrl: string;
  topicPrefix: string;
  keyPrefix: string;
  idPrefix: string;
  /** Store retention of ended sagas, ms (the janitor purges them afterwards). */
  retentionMs: number;
  /** The orchestrator's `lifecycleEvents` level; its default (`saga`) when absent. */
  lifecycleEvents?: 'saga' | 'steps' | 'none';
}

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
  const service = createOrchestratorService({
    definitions: [orderSaga],
    redis: { connect: { url: config.redisUrl } },
    kafka: { connect: { brokers: config.brokers, clientId: 'bench-orchestrator' } },
    // Measured without telemetry: its cost is not the orchestrator's.
    telemetry: false,
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
        if (after.status !== 'running') driver.completed(after.id, after.status === 'completed');
      },
      outboxPublished: ({ count }) => {
        published += count;
      },
    },
  });
  const { orchestrator } = service;
  await service.start();
  return {
    driver,
    orchestrator,
    takePublished() {
      const count = published;
      published = 0;
      return count;
    },
    outboxBacklog: () => orchestrator.store.outboxBacklog(),
    stop: () => service.stop(),
  };
}
