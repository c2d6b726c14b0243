/**
 * 500 order sagas through the whole system on real Kafka and Redis: the orchestrator, the three
 * example participants, and a "duplicator" that re-publishes every command and every reply once
 * more, on purpose. Outcomes follow from the participants' real state (a SKU with no stock, a
 * customer with no credit), so the expected terminal status of every saga is known up front.
 */
import { expect } from 'chai';
import { HEADERS } from '../../../wire/contract/headers.js';
import type { SagaEvent, SagaRecord } from '../../../orchestrator/engine/types.js';
import { createKafkaSubscriber } from '../../../wire/kafka/index.js';
import type { MessageSubscriber } from '../../../wire/transport/ports.js';
import { readInventory, readPayment, readShipping } from '../../../participants/examples/index.js';
import { eventually, until } from '../../support/eventually.js';
import { FAST_CONSUMER, useSystem, type RunningSystem } from '../../support/system.js';

const SAGAS = 500;
const DUPLICATE_HEADER = 'x-test-duplicate';

type Expected = 'completed' | 'out-of-stock' | 'declined';

interface Order {
  input: {
    orderId: string;
    customerId: string;
    items: { sku: string; quantity: number }[];
    amount: number;
    currency: string;
  };
  expected: Expected;
}

function orders(): Order[] {
  return Array.from({ length: SAGAS }, (_, i) => {
    const expected: Expected =
      i % 10 === 0 ? 'out-of-stock' : i % 10 === 1 ? 'declined' : 'completed';
    return {
      expected,
      input: {
        orderId: `o-${i}`,
        customerId: expected === 'declined' ? `broke-${i}` : `c-${i % 37}`,
        items: [
          { sku: expected === 'out-of-stock' ? 'SKU-GONE' : 'SKU-A', quantity: 1 + (i % 3) },
          { sku: 'SKU-B', quantity: 1 },
        ],
        amount: 10 + (i % 50),
        currency: 'EUR',
      },
    };
  });
}

describe('500 order sagas on real Kafka and Redis, with duplicates injected', function () {
  this.timeout(300_000);
  let duplicated = { commands: 0, replies: 0 };
  /** Inputs the engine ignored, as the runtime reports them to telemetry. */
  const ignored: { sagaId: string; event: SagaEvent; reason: string }[] = [];
  const sut = useSystem('order-sagas', {
    seed: {
      stock: { 'SKU-A': 100_000, 'SKU-B': 100_000, 'SKU-GONE': 0 },
      creditLimits: Object.fromEntries(Array.from({ length: SAGAS }, (_, i) => [`broke-${i}`, 0])),
      defaultCreditLimit: 1_000_000_000,
    },
    // A tenth of shipping calls fail transiently: the SDK retries them, then the saga does.
    shipping: { failureRate: 0.1, failureSeed: 'order-sagas' },
    tuning: { topicPartitions: 4 },
    hooks: {
      eventIgnored: ({ sagaId, event, reason }) => ignored.push({ sagaId, event, reason }),
    },
  });
  const infra = sut.infra;
  let system: RunningSystem;
  let duplicator: MessageSubscriber;

  before(async () => {
    system = sut.system;
    duplicator = await startDuplicator();
    infra.addCleanup(() => duplicator.stop());
  });

  /** Re-publishes every command and reply once more (marked, so it is not copied again). */
  async function startDuplicator(): Promise<MessageSubscriber> {
    const producer = await infra.producer({ idempotent: true });
    const prefix = infra.prefix;
    const subscriber = createKafkaSubscriber({
      kafka: infra.kafka,
      groupId: `${prefix}-duplicator`,
      topics: ['inventory', 'payment', 'shipping']
        .map((p) => `${prefix}.${p}.commands`)
        .concat(`${prefix}.replies`),
      ...FAST_CONSUMER,
      partitionsConsumedConcurrently: 4,
    });
    await subscriber.start(async (messages, { topic }) => {
      const copies = messages
        .filter((m) => m.headers[DUPLICATE_HEADER] === undefined)
        .map((m) => ({
          key: m.key,
          value: m.value,
          headers: { ...m.headers, [DUPLICATE_HEADER]: '1' },
        }));
      if (copies.length === 0) return;
      await producer.send({ topic, messages: copies });
      if (topic.endsWith('.replies')) duplicated.replies += copies.length;
      else duplicated.commands += copies.length;
    });
    return subscriber;
  }

  it('brings every saga to its one right terminal status, each command in effect once', async () => {
    duplicated = { commands: 0, replies: 0 };
    const all = orders();
    // Half start through the API path, half through <prefix>.requests (each request sent
    // twice): an idempotency key names one saga however often it is asked for.
    const direct = all.filter((_, i) => i % 2 === 0);
    const viaTopic = all.filter((_, i) => i % 2 === 1);
    const ids = new Map<string, Order>();
    await Promise.all(
      direct.map(async (order) => {
        const outcome = await system.orchestrator.startSaga({
          type: 'order',
          input: order.input,
          idempotencyKey: order.input.orderId,
        });
        expect(outcome.status).to.equal('started');
        if (outcome.status === 'started') ids.set(outcome.record.id, order);
      }),
    );
    const producer = await infra.producer({ idempotent: true });
    const requests = viaTopic.map((order) => ({
      key: order.input.orderId,
      value: JSON.stringify({
        type: 'order',
        input: order.input,
        idempotencyKey: order.input.orderId,
      }),
    }));
    await producer.send({
      topic: `${infra.prefix}.requests`,
      messages: [...requests, ...requests],
    });
    const { sagaIdForKey } = await import('../../../orchestrator/runtime/saga-ids.js');
    for (const order of viaTopic) ids.set(sagaIdForKey('order', order.input.orderId), order);
    expect(ids.size).to.equal(SAGAS);

    // Every saga reaches rest; none is left running.
    const finals = new Map<string, SagaRecord>();
    await Promise.all(
      [...ids.keys()].map(async (id) => {
        await system.sagaExists(id);
        const record = await system.orchestrator.waitForResult(id, 240_000);
        expect(record, `saga ${id} exists`).to.not.equal(undefined);
        if (record) finals.set(id, record);
      }),
    );

    const byStatus: Record<string, number> = {};
    const wrong: string[] = [];
    for (const [id, record] of finals) {
      const order = ids.get(id)!;
      byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
      const want = order.expected === 'completed' ? 'completed' : 'compensated';
      if (record.status !== want) {
        // Say why: the saga's own history is the best witness.
        const { entries } = await system.orchestrator.store.history(id);
        wrong.push(
          `${order.input.orderId} (${order.expected}) ended ${record.status} in ${record.state}:\n  ` +
            entries.map((e) => e.summary).join('\n  '),
        );
      }
    }
    expect(wrong, wrong.slice(0, 3).join('\n')).to.deep.equal([]);
    expect(byStatus).to.deep.equal({ completed: 400, compensated: 100 });
    // The duplicator really doubled the traffic.
    expect(duplicated.commands).to.be.at.least(SAGAS * 2);
    expect(duplicated.replies).to.be.at.least(SAGAS * 2);
    // Every duplicated reply that reached the orchestrator changed nothing: its command was no
    // longer pending (the copies of replies are the bulk of these).
    const ignoredReplies = ignored.filter((i) => i.event.kind === 'reply');
    expect(ignoredReplies.length).to.be.at.least(SAGAS);
    // (or, for a copy that arrives after the saga ended, nothing could move it any more).
    for (const { reason } of ignoredReplies)
      expect(reason).to.be.oneOf(['not-pending', 'saga-ended']);

    // Effects happened once: the participants' state matches the outcomes exactly.
    const completedOrders = [...finals.entries()]
      .filter(([, r]) => r.status === 'completed')
      .map(([id]) => ids.get(id)!);
    const inventory = await readInventory(system.redis, { keyPrefix: system.exampleKeyPrefix });
    const heldA = completedOrders.reduce((sum, o) => sum + o.input.items[0]!.quantity, 0);
    expect(inventory.reserved['SKU-A']).to.equal(heldA);
    expect(inventory.reserved['SKU-B']).to.equal(completedOrders.length);
    expect(inventory.reserved['SKU-GONE'] ?? 0).to.equal(0);
    expect(Object.keys(inventory.reservations).sort()).to.deep.equal(
      completedOrders.map((o) => o.input.orderId).sort(),
    );

    const payment = await readPayment(system.redis, { keyPrefix: system.exampleKeyPrefix });
    expect(Object.keys(payment.authorizations).sort()).to.deep.equal(
      completedOrders.map((o) => o.input.orderId).sort(),
    );
    const shipping = await readShipping(system.redis, { keyPrefix: system.exampleKeyPrefix });
    expect(shipping.shipments).to.deep.equal(completedOrders.map((o) => o.input.orderId).sort());
    expect(shipping.stats.shipments).to.equal(completedOrders.length);

    expect(await system.invariantViolations()).to.deep.equal([]);
    // And nothing of the run is left to publish: the last commits' events (the sagas' ended
    // events) go out a moment after the sagas end, so the relay is given that moment.
    await eventually(
      'the outbox to drain',
      async () => ((await system.orchestrator.store.outboxBacklog()) === 0 ? true : undefined),
      10_000,
    );
  });

  it('ignores replies that come after a saga has moved on, and keeps its state', async () => {
    const [id, record] = await (async () => {
      const outcome = await system.orchestrator.startSaga({
        type: 'order',
        input: orders()[2]!.input,
        idempotencyKey: 'late-reply-check',
      });
      if (outcome.status !== 'started') throw new Error(outcome.status);
      const done = await system.orchestrator.waitForResult(outcome.record.id, 60_000);
      return [outcome.record.id, done!] as const;
    })();
    expect(record.status).to.equal('completed');
    // Replay a success reply for its first step: its command is no longer pending.
    const producer = await infra.producer({ idempotent: true });
    await producer.send({
      topic: `${infra.prefix}.replies`,
      messages: [
        {
          key: id,
          value: JSON.stringify({
            commandId: `${id}.reserveInventory.1`,
            sagaId: id,
            type: 'ReserveItems',
            outcome: 'success',
            payload: { replayedByTest: true },
          }),
          headers: { [DUPLICATE_HEADER]: '1', [HEADERS.sagaId]: id },
        },
      ],
    });
    // Wait until the orchestrator has consumed it: it reports the reply as ignored.
    const isReplay = (i: (typeof ignored)[number]) =>
      i.sagaId === id && i.event.kind === 'reply' && i.event.reply.payload?.replayedByTest === true;
    await until('the replayed reply to be consumed', () => ignored.some(isReplay), 60_000);
    const after = await system.orchestrator.getSaga(id);
    expect(after?.record.revision).to.equal(record.revision);
    expect(after?.record.status).to.equal('completed');
  });
});
