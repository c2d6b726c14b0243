/**
 * Work one orchestrator instance commits into shards another owns reaches the owner at once, by a
 * shard signal (shard-signals.ts), not at the owner's next poll. Forced with polls of a minute on
 * the owner: instance A (the running system, owning every shard) polls its outboxes and timers
 * once a minute; instance B shares its Kafka and Redis but owns no shard (it is never started: any
 * instance's API may start sagas), and starts a saga whose first step has a 1 s deadline. No
 * participant answers, so the step can only end by that deadline. A must publish B's command and
 * fire B's timer within moments, on real Kafka and Redis.
 */
import { expect } from 'chai';
import { createOrchestrator } from '../../../orchestrator/runtime/index.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { elapse, eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { TEST_TUNING, useSystem } from '../../support/system.js';

const A_MINUTE = 60_000;
const STEP_DEADLINE_MS = 2_000;
const definitions = () => [
  createOrderSaga({
    stepTimeoutMs: STEP_DEADLINE_MS,
    retry: { maxAttempts: 1, backoff: { initialDelayMs: 100 } },
    compensation: { timeoutMs: STEP_DEADLINE_MS, maxAttempts: 1 },
  }),
];

describe('shard signals: work committed by another instance reaches the shard owner at once', function () {
  this.timeout(60_000);
  const sut = useSystem('cross-instance', {
    participants: false,
    definitions: definitions(),
    tuning: { timerPollIntervalMs: A_MINUTE, outboxPollIntervalMs: A_MINUTE },
  });

  it('publishes the commands and fires the timers another instance committed into its shards', async () => {
    const { infra } = sut;
    const owner = sut.system.orchestrator;
    const other = createOrchestrator({
      definitions: definitions(),
      redis: infra.redis,
      kafka: infra.kafka,
      topicPrefix: infra.prefix,
      store: { keyPrefix: infra.prefix, shards: 4 },
      logger: silentLogger,
      instanceId: 'instance-b',
      tuning: { ...TEST_TUNING, createTopics: false },
    });

    // Until its availability watch first passed (the end of its start), the owner's poller looks
    // every second; after one more look it sleeps for the minute. That second must be over, or the
    // look itself would find the timer below.
    await elapse(1_500);
    const committedAt = Date.now();
    const started = await other.startSaga({ type: 'order', input: { ...orderInput() } });
    if (started.status !== 'started') throw new Error(`saga: ${started.status}`);
    const sagaId = started.record.id;

    await eventually(
      'the other instance’s command to be published by the owner',
      async () => ((await owner.store.outboxBacklog()) === 0 ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 50 },
    );
    const dueAt = Math.min(...started.record.timers.map((armed) => armed.dueAt));
    // Before the deadline: no commit of the owner (a fired timer) woke its relay.
    expect(Date.now()).to.be.below(dueAt);
    expect(Date.now() - committedAt).to.be.below(STEP_DEADLINE_MS);

    const fired = await eventually(
      'the deadline the other instance armed to fire',
      async () => {
        const history = await owner.store.history(sagaId, { limit: 50 });
        return history.entries.find((entry) => entry.kind === 'timer');
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    // Late by a signal, a claim and a commit: not by the owner's minute-long poll.
    expect(fired.at - dueAt).to.be.within(0, 3_000);
  });
});
