/**
 * The orchestrator service process (`npm start`). Configuration comes from the environment (see
 * `orchestrator/config/env-spec.ts`); bad configuration exits with code 2 and a message naming
 * every problem. Prints one JSON line `{"event":"ready",…}` on stdout once it consumes.
 *
 * SIGTERM or SIGINT stops it gracefully: stop consuming (the batch in hand finishes and commits),
 * stop firing timers, publish what the outbox still holds, hand the shards back, close. If that
 * takes longer than SHUTDOWN_TIMEOUT the process exits anyway (code 1): nothing is lost, since the
 * outbox and uncommitted replies are picked up again by the next instance.
 */
import { ConfigError, loadOrchestratorConfig } from './config/index.js';
import { createLogger } from '../wire/telemetry/index.js';
import {
  BUILT_IN_SAGAS_DIR,
  loadDefinitionsFromDir,
  mergeDefinitions,
  selectDefinitions,
} from './runtime/index.js';
import { createOrchestratorService } from './service/index.js';

let config: ReturnType<typeof loadOrchestratorConfig>;
try {
  config = loadOrchestratorConfig(process.env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(2);
}

const logger = createLogger('orchestrator', { level: config.logLevel });

async function main(): Promise<void> {
  // The built-in sagas/ are always loaded (importing them has no effect); SAGA_TYPES chooses
  // which of all the loaded definitions run, so production can leave the example order saga out.
  const definitions = selectDefinitions(
    mergeDefinitions(
      await loadDefinitionsFromDir(BUILT_IN_SAGAS_DIR),
      config.definitionsDir ? await loadDefinitionsFromDir(config.definitionsDir) : [],
    ),
    config.sagaTypes,
  );
  const service = createOrchestratorService({
    definitions,
    ...(config.startVersions ? { startVersions: config.startVersions } : {}),
    redis: { connect: config.redis },
    kafka: {
      connect: {
        brokers: config.kafka.brokers,
        clientId: config.kafka.clientId,
        ...(config.kafka.sasl ? { sasl: config.kafka.sasl } : {}),
        ...(config.kafka.tls ? { tls: withoutUndefined(config.kafka.tls) } : {}),
      },
    },
    topicPrefix: config.topicPrefix,
    store: {
      ...config.store,
      ...(config.redis.replicaAcks ? { replicaAcks: config.redis.replicaAcks } : {}),
    },
    logger,
    tuning: {
      createTopics: config.topics.create,
      topicPartitions: config.topics.partitions,
      topicReplicationFactor: config.topics.replicationFactor,
      consumer: config.consumer,
      lifecycleEvents: config.lifecycleEvents,
      outageGraceMs: config.outageGraceMs,
    },
    // Metrics always (served on /metrics); traces when the OTEL_* variables ask for them.
    telemetry: { serviceName: 'saga-orchestrator' },
    api: {
      port: config.http.port,
      apiToken: config.http.apiToken,
      readToken: config.http.readToken,
      links: config.console,
    },
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    const timer = setTimeout(() => {
      logger.error('graceful stop took too long; exiting', { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await service.start();
  const { orchestrator } = service;
  console.log(
    JSON.stringify({
      event: 'ready',
      instance: orchestrator.instanceId,
      httpPort: config.http.port,
      sagaTypes: orchestrator.engine.definitions().map((d) => d.type),
    }),
  );
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

main().catch((error: unknown) => {
  logger.error('could not start', { error });
  process.exit(1);
});
