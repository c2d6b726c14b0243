/**
 * The background work an orchestrator does for the store shards it owns: the outbox relay
 * (publishes what commits left in the outbox), the timer poller (fires due timers) and the
 * retention janitor (forgets ended sagas after their retention). All three are idle until the
 * consumer group gives this instance shards (shard-ownership.ts); commits wake them
 * (shard-signals.ts), they do not poll for work.
 */
import type { KafkaPublisher } from '../../wire/kafka/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { SagaStore } from '../store/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { AvailabilityWatch } from './availability.js';
import type { Clock } from './clock.js';
import { OutboxRelay } from './outbox-relay.js';
import type { tuningDefaults } from './orchestrator-options.js';
import { RetentionJanitor } from './retention-janitor.js';
import type { ShardOwnership } from './shard-ownership.js';
import type { SagaEventApplier } from './saga-event-applier.js';
import { TimerPoller } from './timer-poller.js';

export interface ShardWorkersOptions {
  store: SagaStore;
  publisher: KafkaPublisher;
  ownership: ShardOwnership;
  applier: SagaEventApplier;
  availability: AvailabilityWatch;
  clock: Clock;
  hooks: RuntimeHooks;
  logger: Logger;
  tuning: Pick<
    ReturnType<typeof tuningDefaults>,
    'outboxPollIntervalMs' | 'timerPollIntervalMs' | 'outageGraceMs'
  >;
}

export interface ShardWorkers {
  relay: OutboxRelay;
  poller: TimerPoller;
  janitor: RetentionJanitor;
}

/** Builds and starts the relay, the timer poller and the janitor. */
export function startShardWorkers(options: ShardWorkersOptions): ShardWorkers {
  const { store, publisher, ownership, applier, availability, clock, hooks, logger, tuning } =
    options;
  const now = () => clock.now();
  const relay = new OutboxRelay({
    source: store,
    publisher,
    ownership,
    logger: logger.child('relay'),
    pollIntervalMs: tuning.outboxPollIntervalMs,
    now,
    outages: {
      outagesUntilNow: (after) => availability.outagesUntilNow(after),
      graceMs: tuning.outageGraceMs,
    },
    onPublished: (shard, entries, publishedAt) =>
      hooks.outboxPublished?.({
        shard,
        count: entries.length,
        latenciesMs: entries.map((e) => publishedAt - e.enqueuedAt),
      }),
  });
  relay.start();
  const poller = new TimerPoller({
    store,
    applyBatch: (items) => applier.applyBatch(items),
    ownedShards: () => ownership.shards(),
    epochOf: (shard) => ownership.epochOf(shard),
    fenced: (shard, epoch) => ownership.fenced(shard, epoch),
    now,
    logger: logger.child('timers'),
    hooks,
    pollIntervalMs: tuning.timerPollIntervalMs,
    // Until the watch's first round (after the consumer joined) no timer fires: replies already
    // waiting in Kafka get their chance before a deadline does.
    availability,
    outageGraceMs: tuning.outageGraceMs,
  });
  poller.start();
  const janitor = new RetentionJanitor({ store, now, logger: logger.child('retention') });
  janitor.start();
  return { relay, poller, janitor };
}
