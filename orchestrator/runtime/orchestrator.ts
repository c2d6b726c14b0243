/**
 * The orchestrator service: the engine, the store and the transport put together. It consumes
 * replies and start requests, fires durable timers, relays the outbox, and offers the operations
 * the HTTP API and the CLI expose (start, read, list, wait, cancel, signal, retry).
 *
 * @example
 * const orchestrator = createOrchestrator({ redis, kafka, definitions: [orderSaga] });
 * await orchestrator.start();
 * const started = await orchestrator.startSaga({ type: 'order', input, idempotencyKey: 'k-1' });
 * const done = await orchestrator.waitForResult(started.record.id, 30_000);
 * await orchestrator.stop();
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  type StartRequestMessage,
  topicNames,
  type TopicNames,
  type JsonObject,
} from '../../wire/contract/index.js';
import {
  createEngine,
  describeDefinition,
  type DefinitionDescription,
  type OperatorAudit,
  type SagaDefinition,
  type SagaEngine,
  type SagaRecord,
} from '../engine/index.js';
import {
  type HistoryPage,
  type ListPage,
  type ListQuery,
  type SagaStore,
  createSagaStore,
  DEFAULT_RETENTION_MS,
  type RedisClient,
} from '../store/index.js';
import { createLogger, type Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { TimerPoller } from './timer-poller.js';
import { AvailabilityWatch } from './availability.js';
import type { MessageHeaders } from '../../wire/transport/index.js';
import {
  createBrokerProbe,
  createKafkaPublisher,
  DEFAULT_CONSUMER_TIMINGS,
  fetchPartitionCount,
  type BrokerProbe,
  type KafkaPublisher,
  type KafkaSubscriber,
} from '../../wire/kafka/index.js';
import type { OutboxRelay } from './outbox-relay.js';
import { warnOfShortDeadlines } from './deadline-fit.js';
import { checkConnections, readinessOf, type Readiness } from './readiness.js';
import { systemClock, type Clock } from './clock.js';
import { startOrchestratorConsumer } from './orchestrator-consumer.js';
import { ResultWaiters } from './result-waiters.js';
import type { RetentionJanitor } from './retention-janitor.js';
import { startShardWorkers } from './shard-workers.js';
import { isValidSagaId, resolveSagaId } from './saga-ids.js';
import { ShardOwnership } from './shard-ownership.js';
import { ShardSignals, type ShardWork } from './shard-signals.js';
import { SagaEventApplier, type StartOutcome } from './saga-event-applier.js';
import { createContractTopics } from './contract-topics.js';
import type { MigrationReport, MigrationRequest } from './definition-migration.js';
import {
  OperatorActions,
  type PauseOutcome,
  type SignalInvalid,
  type SignalOutcome,
} from './operator-actions.js';
import {
  participantsOf,
  recentRecordMaxAgeMs,
  tuningDefaults,
  type OrchestratorOptions,
} from './orchestrator-options.js';

/** A saga as operators see it: the record, its history and what it waits for. */
export interface SagaView {
  record: SagaRecord;
  history: HistoryPage;
}

export class Orchestrator {
  readonly engine: SagaEngine;
  readonly store: SagaStore;
  readonly topics: TopicNames;
  readonly instanceId: string;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly hooks: RuntimeHooks;
  private readonly tuning: ReturnType<typeof tuningDefaults>;
  private readonly applier: SagaEventApplier;
  private readonly waiters: ResultWaiters;
  private readonly actions: OperatorActions;
  private readonly ownership: ShardOwnership;
  private readonly signals: ShardSignals;
  private publisher: KafkaPublisher | undefined;
  private subscriber: KafkaSubscriber | undefined;
  private relay: OutboxRelay | undefined;
  private poller: TimerPoller | undefined;
  private janitor: RetentionJanitor | undefined;
  private brokerProbe: BrokerProbe | undefined;
  private readonly availability: AvailabilityWatch;
  private started = false;

  constructor(private readonly options: OrchestratorOptions) {
    this.engine = createEngine(options.definitions, {
      ...(options.startVersions ? { startVersions: options.startVersions } : {}),
    });
    this.topics = topicNames(options.topicPrefix);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? createLogger('orchestrator');
    this.hooks = options.hooks ?? {};
    this.tuning = tuningDefaults(options.tuning);
    this.instanceId =
      options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.store = createSagaStore({ redis: options.redis, ...options.store });
    this.waiters = new ResultWaiters({ load: (id) => this.store.load(id) });
    // The consumer group decides which shards this instance works on (shard-ownership.ts).
    this.ownership = new ShardOwnership({
      store: this.store,
      topic: this.topics.replies,
      partitionCount: () => fetchPartitionCount(options.kafka, this.topics.replies),
      quiesce: () => this.relay?.quiesce() ?? Promise.resolve(),
      logger: this.logger.child('shards'),
    });
    this.availability = new AvailabilityWatch({
      check: () =>
        checkConnections({
          redis: this.options.redis,
          brokerProbe: this.brokerProbe,
          consumerJoined: this.subscriber?.isJoined() ?? false,
          timeoutMs: this.tuning.availabilityCheckTimeoutMs,
        }),
      now: () => this.clock.now(),
      logger: this.logger.child('availability'),
      intervalMs: this.tuning.availabilityCheckIntervalMs,
    });
    this.applier = new SagaEventApplier({
      engine: this.engine,
      store: this.store,
      topics: this.topics,
      clock: this.clock,
      hooks: this.hooks,
      lifecycleEvents: this.tuning.lifecycleEvents,
      recentRecords: this.tuning.recentRecords,
      recentRecordMaxAgeMs: recentRecordMaxAgeMs(
        options.store?.retentionMs ?? DEFAULT_RETENTION_MS,
      ),
      // The relay and the timer poller do not poll for work: commits announce it (shard-signals.ts).
      onOutbox: (shards) => {
        for (const shard of shards) this.signals.committed(shard, { outbox: true });
      },
      onCommitted: (record) => {
        this.waiters.committed(record);
        // A paused saga's timers are out of the store's set until it is resumed.
        if (record.timers.length === 0 || record.paused) return;
        const dueAt = Math.min(...record.timers.map((timer) => timer.dueAt));
        this.signals.committed(this.store.shardOf(record.id), { dueAt });
      },
    });
    this.actions = new OperatorActions({
      applier: this.applier,
      store: this.store,
      engine: this.engine,
      clock: this.clock,
      logger: this.logger,
    });
    this.signals = new ShardSignals({
      redis: options.redis,
      channel: `${this.store.keys.prefix}:shard-signals`,
      instanceId: this.instanceId,
      owns: (shard) => this.ownership.shards().has(shard),
      logger: this.logger.child('signals'),
      onWork: (work) => this.workCommitted(work),
      onResubscribed: () => this.recheckOwnedShards(),
    });
    // A shard taken over may hold timers due now.
    this.ownership.onChange(() => this.poller?.notifyDue(0));
  }

  /**
   * Creates topics (if asked), starts the relay and the timers (idle until shards are owned),
   * then the consumer: its group's assignment gives this instance its shards.
   */
  async start(): Promise<void> {
    const { kafka } = this.options;
    const log = this.logger;
    warnOfShortDeadlines(
      this.options.definitions,
      this.tuning.consumer.sessionTimeoutMs ?? DEFAULT_CONSUMER_TIMINGS.sessionTimeoutMs,
      this.logger,
    );
    if (this.tuning.createTopics) {
      await createContractTopics(kafka, {
        topics: this.topics,
        // Every version's participants: a saga on an older version still sends to them.
        participants: participantsOf(this.options.definitions),
        partitions: this.tuning.topicPartitions,
        replicationFactor: this.tuning.topicReplicationFactor,
        logger: this.logger.child('topics'),
      });
    }
    this.publisher = await createKafkaPublisher({ kafka, logger: log.child('publisher') });
    this.brokerProbe = createBrokerProbe({
      kafka,
      timeoutMs: this.tuning.availabilityCheckTimeoutMs,
    });
    await this.signals.start();
    ({
      relay: this.relay,
      poller: this.poller,
      janitor: this.janitor,
    } = startShardWorkers({
      store: this.store,
      publisher: this.publisher,
      ownership: this.ownership,
      applier: this.applier,
      availability: this.availability,
      clock: this.clock,
      hooks: this.hooks,
      logger: log,
      tuning: this.tuning,
    }));

    this.subscriber = await startOrchestratorConsumer({
      kafka,
      topics: this.topics,
      publisher: this.publisher,
      groupId: this.tuning.groupId,
      partitionsConsumedConcurrently: this.tuning.partitionsConsumedConcurrently,
      timings: this.tuning.consumer,
      applyBatch: (items) => this.applier.applyBatch(items),
      startSaga: (request, headers) => this.startSaga(request, headers),
      logger: log,
      hooks: this.hooks,
      onMembership: (event) => this.ownership.membership(event),
    });
    // Ready means the first assignment's shards are taken (bounded: a Redis that is away makes the
    // take retry in the background, and readiness says so).
    await this.ownership.settled(10_000);
    this.started = true;
    await this.availability.start();
    log.info('orchestrator started', {
      instance: this.instanceId,
      sagaTypes: this.options.definitions.map((d) => `${d.type}@${d.version}`),
      shards: this.ownedShards().join(','),
    });
  }

  /**
   * Graceful stop: stop consuming (the batch in hand finishes and commits) and leave the group,
   * so the other instances rebalance at once and take the shards over; stop firing timers; publish
   * what the outbox still holds for this instance's shards until a successor takes each (the
   * shard epoch fences this instance then), and give the shards up.
   */
  async stop(): Promise<void> {
    this.started = false;
    await this.availability.stop();
    await this.poller?.stop();
    this.ownership.holdOnStop();
    await this.subscriber?.stop();
    this.janitor?.stop();
    await this.relay?.stop({ drain: true });
    await this.signals.stop();
    this.ownership.release();
    await this.waiters.releaseAll();
    await this.publisher?.close();
    await this.brokerProbe?.close();
    this.logger.info('orchestrator stopped', { instance: this.instanceId });
  }

  /**
   * Starts a saga; its state is persisted when this resolves (read-your-writes). `headers` carry
   * the request's trace context, if any.
   */
  async startSaga(request: StartRequestMessage, headers?: MessageHeaders): Promise<StartOutcome> {
    if (request.id !== undefined && !isValidSagaId(request.id)) {
      return {
        status: 'rejected',
        code: 'INVALID_INPUT',
        message: `saga id "${request.id}" may only hold letters, digits, '.', '_', ':' and '-' (at most 200)`,
        errors: ['invalid id'],
      };
    }
    return this.applier.start(
      request.type,
      {
        sagaId: resolveSagaId(request),
        input: request.input,
        ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
      },
      headers,
    );
  }

  async getSaga(sagaId: string, history?: { offset?: number; limit?: number }) {
    const record = await this.store.load(sagaId);
    if (!record) return undefined;
    return { record, history: await this.store.history(sagaId, history) } satisfies SagaView;
  }

  listSagas(query: ListQuery): Promise<ListPage> {
    return this.store.listSagas(query);
  }

  /** The saga once it is no longer running, or as it is when `timeoutMs` passes. */
  waitForResult(sagaId: string, timeoutMs: number): Promise<SagaRecord | undefined> {
    return this.waiters.wait(sagaId, timeoutMs);
  }

  // Operator actions (operator-actions.ts says what each does and answers).
  signal(
    sagaId: string,
    event: { type: string } & JsonObject,
    audit?: OperatorAudit,
  ): Promise<SignalOutcome | SignalInvalid> {
    return this.actions.signal(sagaId, event, audit);
  }

  cancel(sagaId: string, audit?: OperatorAudit): Promise<SignalOutcome> {
    return this.actions.cancel(sagaId, audit);
  }

  retry(sagaId: string, audit?: OperatorAudit): Promise<SignalOutcome> {
    return this.actions.retry(sagaId, audit);
  }

  pause(sagaId: string, audit?: OperatorAudit): Promise<PauseOutcome> {
    return this.actions.pause(sagaId, audit);
  }

  resume(sagaId: string, audit?: OperatorAudit): Promise<PauseOutcome> {
    return this.actions.resume(sagaId, audit);
  }

  migrateSagas(request: MigrationRequest, audit?: OperatorAudit): Promise<MigrationReport> {
    return this.actions.migrateSagas(request, audit);
  }

  /**
   * The store shards this instance relays and fires timers for now: those of its replies
   * partitions in the consumer group's latest assignment (shard-ownership.ts).
   */
  ownedShards(): number[] {
    return [...this.ownership.shards()].sort((a, b) => a - b);
  }

  /** The versions of `type` this instance runs, oldest first. */
  definitionVersions(type: string): string[] {
    return this.engine.versions(type).map((d) => d.version);
  }

  /** The definition new sagas of each type start on. */
  definitions(): DefinitionDescription[] {
    return this.engine.definitions().map(describeDefinition);
  }

  /** One version of `type` (default: the one new sagas start on), if this instance runs it. */
  definition(type: string, version?: string): DefinitionDescription | undefined {
    const found =
      version === undefined
        ? this.engine.definition(type)
        : this.engine.versions(type).find((d) => d.version === version);
    return found ? describeDefinition(found) : undefined;
  }

  /**
   * Ready when start-up is done and the latest availability checks passed (readiness.ts). The
   * answer is at most one check interval old, and it is the one the timer poller acts on.
   */
  readiness(): Promise<Readiness> {
    return Promise.resolve(readinessOf(this.availability.checks(), this.started));
  }

  /** Outbox entries or timers were committed into shards this instance owns. */
  private workCommitted(work: ShardWork): void {
    for (const shard of work.outbox) this.relay?.notify(shard);
    for (const [, dueAt] of work.timers) this.poller?.notifyDue(dueAt);
  }

  /** Signals may have been lost: every owned shard's outbox and timers are looked at now. */
  private recheckOwnedShards(): void {
    for (const shard of this.ownership.shards()) this.relay?.notify(shard);
    this.poller?.notifyDue(0);
  }
}

export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  return new Orchestrator(options);
}

export type { OrchestratorOptions, RedisClient, SagaDefinition };
