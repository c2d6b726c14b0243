/**
 * A running participant: a subscriber on `<prefix>.<name>.commands` in the participant's
 * consumer group (instances share the partitions), a command processor, and a batcher that
 * publishes the replies and dead letters. A batch's offsets are committed only after every reply
 * it produced is acknowledged, so a crash anywhere re-delivers, and the ledger turns the
 * re-delivery into re-sent replies.
 */
import {
  deadLetterMessage,
  type BatchHandler,
  type UndecodableSink,
} from '../../wire/transport/index.js';
import { commandProcessor } from './command-processor.js';
import type { ParticipantDefinition } from './define-participant.js';
import { runKeyedInOrder } from './keyed-concurrency.js';
import { outgoingBatcher } from './outgoing-batcher.js';
import { compileParticipantOptions, type ParticipantOptions } from './participant-options.js';
import { participantMetrics } from './participant-metrics.js';

export interface RunningParticipant {
  readonly name: string;
  readonly commandTopic: string;
  readonly groupId: string;
  /** True while a member of its group with partitions assigned (or none to have). */
  isJoined(): boolean;
  /**
   * Graceful shutdown: stops fetching, lets the batch in hand finish (back-offs end early and
   * retries stop, giving retryable failure replies), publishes its replies, commits, and leaves
   * the group. Does not close the transport, which the caller owns.
   */
  stop(): Promise<void>;
}

/**
 * Starts consuming; resolves once the participant has joined its group.
 *
 * @example
 * const running = await startParticipant(inventory, {
 *   transport: kafkaParticipantTransport({ brokers: ['localhost:9092'], clientId: 'inventory' }),
 *   redis,
 * });
 * process.on('SIGTERM', () => void running.stop());
 */
export async function startParticipant(
  definition: ParticipantDefinition,
  options: ParticipantOptions,
): Promise<RunningParticipant> {
  const compiled = compileParticipantOptions(definition, options);
  const { logger } = compiled;
  const stopping = new AbortController();
  const metrics = participantMetrics(
    definition.name,
    compiled.meter,
    Object.keys(definition.handlers),
  );
  const processor = commandProcessor({
    definition,
    options: compiled,
    metrics,
    stopping: stopping.signal,
  });
  const batcher = outgoingBatcher({
    publisher: compiled.transport.publisher,
    clock: compiled.clock,
    maxBatchSize: compiled.replyBatchSize,
    lingerMs: compiled.replyLingerMs,
  });
  // Commands whose record batch could not be decompressed: dead-lettered by the transport.
  const deadLetterUndecodable: UndecodableSink = (entries) => {
    const at = new Date(compiled.clock.now());
    const source = `participant:${definition.name}`;
    for (const entry of entries) metrics.deadLettered(entry.reason.code);
    return batcher.send(
      entries.map(({ message, reason }) =>
        deadLetterMessage(message, reason, { topic: compiled.topics.dlq, source, at }),
      ),
    );
  };
  const subscriber = compiled.transport.subscriber({
    groupId: compiled.groupId,
    topics: [compiled.commandTopic],
    fromBeginning: compiled.fromBeginning,
    partitionsConsumedConcurrently: compiled.partitionsConsumedConcurrently,
    deadLetterUndecodable,
  });

  const handleBatch: BatchHandler = async (messages, batch) => {
    const sent: Array<Promise<void>> = [];
    let publishFailure: { error: unknown } | undefined;
    const work = runKeyedInOrder(
      messages,
      async (message) => {
        const { outgoing } = await processor.process(message);
        if (outgoing.length > 0) {
          sent.push(
            batcher.send(outgoing).catch((error: unknown) => {
              publishFailure ??= { error };
            }),
          );
        }
        await batch.heartbeat().catch((error: unknown) => {
          logger.debug('heartbeat failed (rebalance?)', { error });
        });
      },
      {
        keyOf: (message) => message.key ?? '',
        concurrency: compiled.maxConcurrentCommands,
        // Stale because this participant is stopping: finish the batch (back-offs and handler
        // waits end early on the stop signal) so what was handled is committed. Stale because a
        // rebalance took the partition: stop early; the next owner gets the rest.
        shouldStop: () => batch.isStale() && !stopping.signal.aborted,
      },
    );
    // Whatever happens to the rest, the replies already produced still go out.
    await work.finally(() => Promise.all(sent));
    if (publishFailure) throw publishFailure.error;
  };

  await subscriber.start(handleBatch);
  logger.info('participant started', {
    topic: compiled.commandTopic,
    groupId: compiled.groupId,
  });

  let stopped: Promise<void> | undefined;
  return {
    name: definition.name,
    commandTopic: compiled.commandTopic,
    groupId: compiled.groupId,
    isJoined: () => subscriber.isJoined(),
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await subscriber.stop();
        await batcher.flush();
        logger.info('participant stopped');
      })();
      return stopped;
    },
  };
}
