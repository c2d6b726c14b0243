/**
 * The wire contract's topics for the definitions an orchestrator runs (requests, replies,
 * lifecycle events, each participant's commands, and their dead-letter topics), created when
 * missing at start-up (`OrchestratorTuning.createTopics`); topics that exist are left as they are.
 */
import type { Kafka } from 'kafkajs';
import type { TopicNames } from '../../wire/contract/index.js';
import { contractTopicSpecs, ensureTopics } from '../../wire/kafka/index.js';
import type { Logger } from '../../wire/telemetry/index.js';

export interface ContractTopicsOptions {
  topics: TopicNames;
  /** The participants the loaded definitions send commands to. */
  participants: readonly string[];
  partitions: number;
  /** @default the broker's default */
  replicationFactor?: number | undefined;
  logger: Logger;
}

export async function createContractTopics(
  kafka: Kafka,
  options: ContractTopicsOptions,
): Promise<void> {
  const { topics, participants, partitions, replicationFactor, logger } = options;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const reports = await ensureTopics({
      admin,
      topics: contractTopicSpecs({
        prefix: topics.prefix,
        participants: [...participants],
        partitions,
        ...(replicationFactor !== undefined ? { replicationFactor } : {}),
      }),
      logger,
    });
    const created = reports.filter((r) => r.outcome === 'created').map((r) => r.topic);
    if (created.length > 0) logger.info('topics created', { topics: created });
  } finally {
    await admin.disconnect();
  }
}
