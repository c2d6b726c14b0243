/**
 * The kafkajs {@link MessageSubscriber}: a consumer group read with `eachBatch`.
 *
 * Commit semantics (applied per batch by {@link BatchProcessor}). Offsets are resolved and
 * committed by hand (kafkajs' auto-commit and auto-resolve are off), and only after the handler
 * resolved: a batch is committed whole, or not at all. Handled batches are committed together,
 * at most every `commitIntervalMs` in one request ({@link DeferredCommits}), not one request per
 * batch before the next fetch; `stop` commits what is pending, and the batches of a stopping
 * subscriber are committed at once. A crash re-delivers what was handled since the last commit. When the handler rejects, nothing of the
 * batch is committed; the partition is sought back to the batch's first offset and paused for a
 * back-off, then the same batch comes again. Other partitions keep flowing meanwhile. A handler
 * that keeps rejecting blocks its partition: poison messages are the handler's to dead-letter.
 *
 * Crashes. Left to itself, kafkajs restarts its consumer after a retriable crash and leaves it
 * dead after any other (a TypeError, say). Here kafkajs' own restart is switched off and every
 * crash after the first join is restarted by this subscriber, with a capped exponential back-off
 * (1 s doubling to 5 s, reset by a successful join): a consumer never silently dies. Each crash
 * is logged as an error and counted (`crashCount()`), and `isJoined()` is false until the group
 * is joined again. Before the first join, a retriable crash is retried the same way (bounded by
 * `joinTimeoutMs`) and any other makes `start` reject.
 */
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import type { BatchHandler } from '../transport/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';
import { BatchProcessor } from './batch-processor.js';
import { DeferredCommits } from './deferred-commits.js';
import { stopRequestQueueSpin } from './request-queue-spin.js';
import { registerCompressionCodecs } from './compression.js';
import {
  DEFAULT_CONSUMER_TIMINGS,
  type KafkaSubscriber,
  type KafkaSubscriberOptions,
  type MembershipEvent,
} from './subscriber-options.js';

type State = 'idle' | 'starting' | 'running' | 'stopping';

interface Timings {
  sessionTimeout: number;
  heartbeatInterval: number;
  rebalanceTimeout: number;
  maxWaitTimeInMs: number;
  maxBytesPerPartition: number;
  commitInterval: number;
  commitAfterMessages: number;
  backoffInitial: number;
  backoffMax: number;
  joinTimeout: number;
  concurrency: number;
}

const RESTART_INITIAL_MS = 1_000;
/**
 * Capped low on purpose: a consumer that crashed because the broker went away must be back soon
 * after the broker is, since every step deadline of the commands it should be handling runs
 * meanwhile. One reconnect attempt every 5 s against a dead broker is cheap.
 */
const RESTART_MAX_MS = 5_000;

/** Creates a subscriber; nothing connects until `start`. Throws on invalid options. */
export function createKafkaSubscriber(options: KafkaSubscriberOptions): KafkaSubscriber {
  // The client may come from elsewhere (tests make their own); the reader needs every codec.
  registerCompressionCodecs();
  stopRequestQueueSpin();
  return new KafkaBatchSubscriber(options);
}

class KafkaBatchSubscriber implements KafkaSubscriber {
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly topics: readonly string[];
  private readonly fromBeginning: boolean;
  private readonly logger: Logger;
  private readonly timings: Timings;
  private state: State = 'idle';
  private consumer: Consumer | undefined;
  private joined = false;
  private crashes = 0;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly batches: BatchProcessor;
  private readonly commits: DeferredCommits;
  private currentAssignment: Record<string, readonly number[]> = {};
  private stopping: Promise<void> | undefined;
  private readonly onMembership: (event: MembershipEvent) => void;

  constructor(options: KafkaSubscriberOptions) {
    if (!options.groupId) throw new RangeError('Kafka subscriber: groupId must not be empty');
    if (options.topics.length === 0 || options.topics.some((topic) => !topic)) {
      throw new RangeError('Kafka subscriber: topics must name at least one topic');
    }
    this.kafka = options.kafka;
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.fromBeginning = options.fromBeginning ?? true;
    this.onMembership = options.onMembership ?? (() => undefined);
    this.logger = (options.logger ?? createLogger('transport').child('subscriber')).child(
      options.groupId,
    );
    const ms = (name: string, value: number | undefined, fallback: number) => {
      const result = value ?? fallback;
      if (!Number.isInteger(result) || result <= 0) {
        throw new RangeError(`Kafka subscriber: ${name} must be a positive whole number`);
      }
      return result;
    };
    this.timings = {
      sessionTimeout: ms(
        'sessionTimeoutMs',
        options.sessionTimeoutMs,
        DEFAULT_CONSUMER_TIMINGS.sessionTimeoutMs,
      ),
      heartbeatInterval: ms(
        'heartbeatIntervalMs',
        options.heartbeatIntervalMs,
        DEFAULT_CONSUMER_TIMINGS.heartbeatIntervalMs,
      ),
      rebalanceTimeout: ms(
        'rebalanceTimeoutMs',
        options.rebalanceTimeoutMs,
        DEFAULT_CONSUMER_TIMINGS.rebalanceTimeoutMs,
      ),
      maxWaitTimeInMs: ms(
        'maxWaitTimeMs',
        options.maxWaitTimeMs,
        DEFAULT_CONSUMER_TIMINGS.maxWaitTimeMs,
      ),
      maxBytesPerPartition: ms('maxBytesPerPartition', options.maxBytesPerPartition, 1_048_576),
      commitInterval: options.commitIntervalMs ?? DEFAULT_CONSUMER_TIMINGS.commitIntervalMs,
      commitAfterMessages: ms(
        'commitAfterMessages',
        options.commitAfterMessages,
        DEFAULT_CONSUMER_TIMINGS.commitAfterMessages,
      ),
      backoffInitial: ms('retryBackoffInitialMs', options.retryBackoffInitialMs, 200),
      backoffMax: ms('retryBackoffMaxMs', options.retryBackoffMaxMs, 30_000),
      joinTimeout: ms('joinTimeoutMs', options.joinTimeoutMs, 60_000),
      concurrency: ms('partitionsConsumedConcurrently', options.partitionsConsumedConcurrently, 1),
    };
    if (this.timings.heartbeatInterval >= this.timings.sessionTimeout) {
      throw new RangeError('Kafka subscriber: heartbeatIntervalMs must be below sessionTimeoutMs');
    }
    if (!Number.isInteger(this.timings.commitInterval) || this.timings.commitInterval < 0) {
      throw new RangeError('Kafka subscriber: commitIntervalMs must be a whole number ≥ 0');
    }
    this.commits = new DeferredCommits({
      intervalMs: this.timings.commitInterval,
      maxPendingMessages: this.timings.commitAfterMessages,
      logger: this.logger,
      commit: async (offsets) => {
        await this.consumer?.commitOffsets([...offsets]);
      },
    });
    this.batches = new BatchProcessor(
      this.logger,
      { initialMs: this.timings.backoffInitial, maxMs: this.timings.backoffMax },
      this.commits,
      () => this.timings.commitInterval === 0 || this.state === 'stopping',
      options.deadLetterUndecodable,
    );
  }

  isJoined(): boolean {
    return this.state === 'running' && this.joined;
  }

  crashCount(): number {
    return this.crashes;
  }

  assignment(): Readonly<Record<string, readonly number[]>> {
    return this.currentAssignment;
  }

  async start(handler: BatchHandler): Promise<void> {
    if (this.state !== 'idle') {
      throw new Error(`Kafka subscriber ${this.groupId}: start() while ${this.state}`);
    }
    this.state = 'starting';
    this.crashes = 0;
    this.restarts = 0;
    this.batches.reset();
    this.commits.reset();
    const consumer = this.kafka.consumer(this.consumerConfig());
    this.consumer = consumer;
    this.runHandler = handler;
    const firstJoin = this.watch(consumer);
    // Awaited below; this only keeps an early failure (connect) from going unhandled.
    firstJoin.catch(() => undefined);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: this.fromBeginning });
      await this.run(consumer, handler);
      await firstJoin;
      this.abortStart = undefined;
      this.state = 'running';
      this.logger.info('subscribed', { topics: this.topics, assignment: this.currentAssignment });
    } catch (error) {
      this.abortStart?.(error instanceof Error ? error : new Error(String(error)));
      this.abortStart = undefined;
      if (this.state === 'starting') {
        this.logger.error('could not join the consumer group', { topics: this.topics, error });
      }
      await this.shutDown(consumer);
      throw error;
    }
  }

  stop(): Promise<void> {
    if (this.state === 'idle') return this.stopping ?? Promise.resolve();
    if (this.state === 'stopping' && this.stopping) return this.stopping;
    this.state = 'stopping';
    this.abortStart?.(new Error(`Kafka subscriber ${this.groupId}: stopped before it joined`));
    const consumer = this.consumer;
    this.stopping = (async () => {
      if (consumer) await this.shutDown(consumer);
      this.logger.info('stopped');
    })();
    return this.stopping;
  }

  private runHandler: BatchHandler | undefined;
  private abortStart: ((error: Error) => void) | undefined;

  private consumerConfig(): ConsumerConfig {
    const t = this.timings;
    return {
      groupId: this.groupId,
      sessionTimeout: t.sessionTimeout,
      heartbeatInterval: t.heartbeatInterval,
      rebalanceTimeout: t.rebalanceTimeout,
      maxWaitTimeInMs: t.maxWaitTimeInMs,
      maxBytesPerPartition: t.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      // Every restart goes through this subscriber (scheduleRestart): one path, one back-off,
      // and also after the crashes kafkajs itself would leave dead.
      retry: { restartOnFailure: async () => false },
    };
  }

  private run(consumer: Consumer, handler: BatchHandler): Promise<void> {
    return consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.timings.concurrency,
      eachBatch: (payload) => this.batches.process(consumer, handler, payload),
    });
  }

  /** Tracks membership and crashes; resolves on the first join, rejects when that fails. */
  private watch(consumer: Consumer): Promise<void> {
    const { events } = consumer;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () =>
          settle(
            new Error(
              `Kafka subscriber ${this.groupId}: group not joined within ${this.timings.joinTimeout} ms`,
            ),
          ),
        this.timings.joinTimeout,
      );
      this.abortStart = settle;
      consumer.on(events.GROUP_JOIN, ({ payload }) => {
        if (this.consumer !== consumer) return;
        this.joined = true;
        this.restarts = 0;
        this.currentAssignment = payload.memberAssignment;
        this.commits.retain((topic, partition) =>
          (payload.memberAssignment[topic] ?? []).includes(partition),
        );
        this.logger.debug('joined the group', {
          memberId: payload.memberId,
          assignment: payload.memberAssignment,
        });
        this.onMembership({ kind: 'joined', assignment: payload.memberAssignment });
        settle();
      });
      consumer.on(events.REBALANCING, () => {
        this.joined = false;
        if (this.consumer !== consumer) return;
        this.onMembership({ kind: 'rebalancing' });
        // What was handled is committed while this member still owns its partitions.
        void this.commits.flush();
      });
      consumer.on(events.STOP, () => {
        this.joined = false;
        this.onMembership({ kind: 'left', reason: 'stopped' });
      });
      consumer.on(events.CRASH, ({ payload }) => {
        this.joined = false;
        if (this.consumer === consumer) this.onMembership({ kind: 'left', reason: 'crashed' });
        if (this.consumer !== consumer || this.state === 'stopping') return;
        this.crashes += 1;
        // Before the first join only a retriable crash is worth another try (`start` is bounded
        // by joinTimeoutMs); after it, every crash is restarted: a consumer never just dies.
        const restart = settled || isRetriableCrash(payload.error);
        this.logger.error(
          restart ? 'consumer crashed; restarting it' : 'consumer crashed before joining',
          { error: payload.error, crashes: this.crashes },
        );
        if (restart) this.scheduleRestart(consumer);
        else settle(payload.error);
      });
    });
  }

  /** After a crash kafkajs will not recover from: it has disconnected; connect and run again. */
  private scheduleRestart(consumer: Consumer): void {
    const delay = Math.min(RESTART_MAX_MS, RESTART_INITIAL_MS * 2 ** this.restarts);
    this.restarts += 1;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      const handler = this.runHandler;
      const live = this.state === 'running' || this.state === 'starting';
      if (!live || this.consumer !== consumer || !handler) return;
      void (async () => {
        try {
          await consumer.connect();
          await this.run(consumer, handler);
        } catch (error) {
          this.logger.error('restarting the consumer failed; trying again', { error });
          this.scheduleRestart(consumer);
        }
      })();
    }, delay);
  }

  private async shutDown(consumer: Consumer): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.batches.reset();
    try {
      // What was handled is committed first, while the consumer still runs; then disconnect
      // waits for the batch in hand (which commits at once when its handler succeeds: the state
      // is 'stopping'), and leaves the group.
      await this.commits.flush();
      await consumer.disconnect();
    } finally {
      this.commits.reset();
      this.joined = false;
      this.currentAssignment = {};
      this.consumer = undefined;
      this.runHandler = undefined;
      this.state = 'idle';
    }
  }
}

/** kafkajs' own rule for restarting after a crash: retries ran out, or the root cause is retriable. */
function isRetriableCrash(error: Error): boolean {
  let cause: unknown = error;
  while (cause instanceof Error && (cause as { cause?: unknown }).cause instanceof Error) {
    cause = (cause as { cause?: unknown }).cause;
  }
  return (
    error.name === 'KafkaJSNumberOfRetriesExceeded' ||
    (cause as { retriable?: unknown }).retriable === true
  );
}
