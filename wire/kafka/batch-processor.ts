/**
 * One kafkajs `eachBatch` call, the subscriber's commit rule applied: the handler gets the batch
 * as {@link IncomingMessage}s; its offsets are resolved and committed only once it resolved.
 * A handled batch's offset is committed later with others ({@link DeferredCommits}), or at once
 * when `commitInline()` says so (the consumer is stopping, or deferring is off). When it
 * rejects, nothing of it is committed, the partition is sought back to the batch's first
 * offset and paused for a back-off (exponential per partition, reset by a success), then
 * resumed, so the same batch comes again while other partitions keep flowing.
 *
 * Placeholders of a record batch that could not be decompressed (undecodable-batch.ts) never reach
 * the handler: they go to `deadLetterUndecodable` first, with a reason naming the codec, its
 * error, the partition and the offsets, and are committed with the rest of the batch.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { DLQ_ERROR_CODES } from '../contract/index.js';
import type {
  BatchContext,
  BatchHandler,
  IncomingMessage,
  UndecodableEntry,
  UndecodableSink,
} from '../transport/index.js';
import type { Logger } from '../telemetry/index.js';
import type { DeferredCommits, PartitionOffset } from './deferred-commits.js';
import { toIncomingMessage } from './message-codec.js';
import { undecodableDetails } from './undecodable-batch.js';

export interface BatchBackoff {
  /** First pause after a rejection, in ms. */
  initialMs: number;
  /** Longest pause, in ms. */
  maxMs: number;
}

export class BatchProcessor {
  private readonly failures = new Map<string, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly logger: Logger,
    private readonly backoff: BatchBackoff,
    private readonly commits: DeferredCommits,
    /** True when a handled batch must be committed before `process` returns. */
    private readonly commitInline: () => boolean,
    private readonly deadLetterUndecodable?: UndecodableSink,
  ) {}

  /** Forgets back-off state and cancels pending resumes (the consumer is going away). */
  reset(): void {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    this.failures.clear();
  }

  async process(
    consumer: Consumer,
    handler: BatchHandler,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const received = batch.messages.map((message) => toIncomingMessage(topic, partition, message));
    const first = received[0];
    const last = received[received.length - 1];
    if (!first || !last) return;
    const { messages, undecodable } = splitUndecodable(received);

    // A heartbeat that fails means the group is rebalancing: remember it, so the failure that
    // follows goes back to kafkajs (which re-joins) instead of being treated as the handler's.
    let membershipError: Error | undefined;
    const context: BatchContext = {
      topic,
      partition,
      heartbeat: async () => {
        try {
          await payload.heartbeat();
        } catch (error) {
          membershipError ??= error instanceof Error ? error : new Error(String(error));
          throw error;
        }
      },
      isStale: () => membershipError !== undefined || !payload.isRunning() || payload.isStale(),
    };

    try {
      if (undecodable.length > 0) await this.skipUndecodable(undecodable);
      if (messages.length > 0) await handler(messages, context);
    } catch (error) {
      if (membershipError !== undefined) throw membershipError;
      this.retryLater(consumer, payload, first.offset, received.length, error);
      return;
    }

    // Resolving the last message also covers a trailing transaction marker (kafkajs' rule);
    // then exactly what was resolved for this partition is committed.
    payload.resolveOffset(last.offset);
    const resolved = payload
      .uncommittedOffsets()
      .topics.filter((entry) => entry.topic === topic)
      .flatMap((entry) => entry.partitions)
      // kafkajs lists partitions by object key here, so they may arrive as strings.
      .find((entry) => Number(entry.partition) === partition);
    this.failures.delete(`${topic}|${partition}`);
    if (!resolved) return;
    const handled = { topic, partition, offset: String(resolved.offset) };
    if (!this.commitInline()) {
      this.commits.add(handled, received.length);
      return;
    }
    // This batch and whatever waited for the next deferred commit, in one request.
    const offsets = [
      ...this.commits
        .take()
        .filter((entry) => entry.topic !== topic || entry.partition !== partition),
      handled,
    ];
    try {
      await payload.commitOffsetsIfNecessary({ topics: byTopic(offsets) });
    } catch (error) {
      // Usually a rebalance took the partition: the next owner re-reads the batch.
      this.logger.info('commit refused; the batch will be delivered again', {
        topic,
        partition,
        error,
      });
      throw error;
    }
  }

  /** Dead-letters placeholders of undecodable batches (or, with nowhere to send them, logs them). */
  private async skipUndecodable(entries: readonly UndecodableEntry[]): Promise<void> {
    const reasons = [...new Set(entries.map((entry) => entry.reason.reason))];
    if (!this.deadLetterUndecodable) {
      this.logger.error('undecodable record batch skipped (no dead-letter topic configured)', {
        reasons,
      });
      return;
    }
    await this.deadLetterUndecodable(entries);
    this.logger.error('undecodable record batch dead-lettered', { count: entries.length, reasons });
  }

  /** Seeks back to the batch's first offset and pauses the partition for the back-off. */
  private retryLater(
    consumer: Consumer,
    payload: EachBatchPayload,
    firstOffset: string,
    size: number,
    error: unknown,
  ): void {
    const { topic, partition } = payload.batch;
    try {
      consumer.seek({ topic, partition, offset: firstOffset });
    } catch (seekError) {
      // The consumer is going away; the committed offset is still the batch's first one.
      this.logger.debug('seek skipped', { topic, partition, error: seekError });
    }
    if (!payload.isRunning()) {
      this.logger.info('handler gave up while stopping; the batch is not committed', {
        topic,
        partition,
        firstOffset,
      });
      return;
    }
    const key = `${topic}|${partition}`;
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(
      this.backoff.maxMs,
      this.backoff.initialMs * 2 ** Math.min(failures - 1, 30),
    );
    this.logger.warn('handler rejected a batch; it will be delivered again', {
      topic,
      partition,
      firstOffset,
      messages: size,
      failures,
      retryInMs: delay,
      error,
    });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      try {
        resume();
      } catch (resumeError) {
        this.logger.debug('resume skipped', { topic, partition, error: resumeError });
      }
    }, delay);
    this.resumeTimers.add(timer);
  }
}

/** Separates the placeholders of undecodable batches from the records the handler gets. */
function splitUndecodable(received: readonly IncomingMessage[]): {
  messages: IncomingMessage[];
  undecodable: UndecodableEntry[];
} {
  const messages: IncomingMessage[] = [];
  const undecodable: UndecodableEntry[] = [];
  for (const message of received) {
    const details = undecodableDetails(message);
    if (!details) {
      messages.push(message);
      continue;
    }
    const where = `${message.topic}[${message.partition}]`;
    undecodable.push({
      // Nothing of the original record is known but where it was.
      message: { ...message, key: null, value: null, headers: {} },
      reason: {
        code: DLQ_ERROR_CODES.undecodable,
        reason:
          `${details.codec} record batch could not be decompressed (${details.error}); ` +
          `${where} offsets ${details.firstOffset}..${details.lastOffset} ` +
          `(${details.records} ${details.records === 1 ? 'record' : 'records'}) skipped`,
      },
    });
  }
  return { messages, undecodable };
}

/** kafkajs' shape of offsets to commit: per topic, its partitions. */
function byTopic(offsets: readonly PartitionOffset[]) {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = []));
    partitions.push({ partition, offset });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
