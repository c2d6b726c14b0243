/**
 * A pause that meets a relay batch in flight: the relay has read the saga's command and is
 * publishing it when the pause commits. The pause must answer only once that batch is out, so
 * that no command of the saga is published after the pause answered; the copy the pause held
 * goes out again on resume (the same command id: participants deduplicate).
 *
 * Forced: the relay publishes through the real Kafka publisher behind a gate that the test
 * opens, so the batch is held in flight for as long as the test needs.
 */
import { expect } from 'chai';
import { createEngine, type OperatorAudit } from '../../../orchestrator/engine/index.js';
import { relayBatchesDone } from '../../../orchestrator/runtime/operator-actions.js';
import { OutboxRelay } from '../../../orchestrator/runtime/outbox-relay.js';
import { SagaEventApplier } from '../../../orchestrator/runtime/saga-event-applier.js';
import { systemClock } from '../../../orchestrator/runtime/clock.js';
import { createSagaStore } from '../../../orchestrator/store/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { topicNames, type CommandMessage } from '../../../wire/contract/index.js';
import { createKafkaPublisher } from '../../../wire/kafka/index.js';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import type { OutgoingMessage } from '../../../wire/transport/index.js';
import { eventually } from '../../support/eventually.js';
import { groupJoined, TEST_CONSUMER_TIMINGS, useInfra } from '../../support/infra.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS } from '../../support/system.js';

const audit: OperatorAudit = { actor: 'test', role: 'operator' };

describe('pause: a relay batch in flight is published before the pause answers (real Kafka and Redis)', function () {
  this.timeout(60_000);
  const infra = useInfra('pause-relay');

  it('waits for the batch, holds the copy still in the outbox, and re-publishes it on resume', async () => {
    const topics = topicNames(infra.prefix);
    const commandTopic = await infra.createTopic('inventory.commands', 1);
    const store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 1 });
    const applier = new SagaEventApplier({
      engine: createEngine([createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs: 30_000 })]),
      store,
      topics,
      clock: systemClock,
      lifecycleEvents: 'none',
      recentRecords: 0,
    });

    const seen: { offset: number; commandId: string; expiresAt: number }[] = [];
    const consumer = await infra.consumer({ ...TEST_CONSUMER_TIMINGS });
    await consumer.subscribe({ topic: commandTopic, fromBeginning: true });
    const joined = groupJoined(consumer);
    await consumer.run({
      eachMessage: async ({ message }) => {
        const command = JSON.parse(String(message.value)) as CommandMessage;
        seen.push({
          offset: Number(message.offset),
          commandId: command.commandId,
          expiresAt: Date.parse(command.expiresAt),
        });
      },
    });
    await joined;

    const kafkaPublisher = await createKafkaPublisher({ kafka: infra.kafka, logger: silentLogger });
    let openGate: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (openGate = resolve));
    const published: number[] = [];
    const relay = new OutboxRelay({
      source: store,
      publisher: {
        async publish(messages: readonly OutgoingMessage[]) {
          await gate;
          await kafkaPublisher.publish(messages);
          published.push(Date.now());
        },
        close: () => kafkaPublisher.close(),
      },
      ownership: { shards: () => new Set([0]), onChange: () => undefined },
      logger: silentLogger,
    });
    relay.start();
    try {
      const started = await applier.start('order', {
        sagaId: `pause-relay-${Date.now()}`,
        input: orderInput(),
      });
      if (started.status !== 'started') throw new Error(`not started: ${started.status}`);
      const sagaId = started.record.id;
      const commandId = started.record.pending[0]?.commandId;
      relay.notify(0);
      // The relay has read the command and is stuck publishing it.
      await eventually('the relay to have a batch in flight', async () => {
        const { read, done } = await store.relayBatches(0);
        return read > done ? true : undefined;
      });

      const [paused] = await applier.applyBatch([{ sagaId, event: { kind: 'pause', audit } }]);
      expect(paused?.status).to.equal('applied');
      // The pause took the command out of the outbox, though the relay holds a copy.
      expect(await store.readOutbox(0, 10)).to.deep.equal([]);
      let answered: number | undefined;
      const waiting = relayBatchesDone(0, { store, logger: silentLogger, pollMs: 1 }).then(
        (done) => {
          answered = Date.now();
          return done;
        },
      );
      for (let i = 0; i < 5; i += 1) await store.relayBatches(0);
      expect(answered).to.equal(undefined);

      openGate();
      expect(await waiting).to.equal(true);
      expect(published).to.have.length(1);
      expect(published[0]).to.be.at.most(answered ?? 0);
      const { high: pausedMark } = (await infra.admin.fetchTopicOffsets(commandTopic))[0] ?? {};

      gate = Promise.resolve();
      const [resumed] = await applier.applyBatch([{ sagaId, event: { kind: 'resume', audit } }]);
      expect(resumed?.status).to.equal('applied');
      relay.notify(0);
      await eventually('the held copy to be published again', () =>
        seen.length === 2 ? true : undefined,
      );
      // The command once before the pause answered, and its held copy after the resume.
      expect(seen.map((s) => s.commandId)).to.deep.equal([commandId, commandId]);
      expect(seen[0]?.offset).to.be.below(Number(pausedMark));
      expect(seen[1]?.offset).to.equal(Number(pausedMark));
      // The held copy's expiry moved as far as the saga's deadline: by the time it was paused.
      if (paused?.status !== 'applied' || resumed?.status !== 'applied')
        throw new Error('not applied');
      const pausedFor = resumed.record.updatedAt - (paused.record.paused?.at ?? 0);
      expect((seen[1]?.expiresAt ?? 0) - (seen[0]?.expiresAt ?? 0)).to.equal(pausedFor);
      expect(resumed.record.pending[0]?.expiresAt).to.equal(seen[1]?.expiresAt);
    } finally {
      openGate();
      await relay.stop({ drain: false });
      await consumer.stop();
      await kafkaPublisher.close();
    }
  });
});
