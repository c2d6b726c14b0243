import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { useInfra } from '../../support/infra.js';
import {
  compileKafkaOptions,
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  fetchConsumerLag,
  totalLag,
  type KafkaPublisher,
  type KafkaSubscriber,
  type KafkaSubscriberOptions,
} from '../../../wire/kafka/index.js';
import type { BatchContext, BatchHandler, IncomingMessage } from '../../../wire/transport/ports.js';
import { until } from '../../support/eventually.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS, testKafkaOptions } from './support.js';

describe('transport: subscriber commit semantics', function () {
  this.timeout(120_000);
  const infra = useInfra('transport-commits');
  const { logger, lines } = recordingLogger();
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  const running: KafkaSubscriber[] = [];

  before(async () => {
    kafka = createKafkaClient(testKafkaOptions(infra.prefix, logger));
    publisher = await createKafkaPublisher({ kafka, logger });
  });
  after(async () => {
    await Promise.allSettled(running.map((s) => s.stop()));
    await publisher.close();
  });

  const start = async (
    options: Pick<KafkaSubscriberOptions, 'groupId' | 'topics'> & Partial<KafkaSubscriberOptions>,
    handler: BatchHandler,
  ) => {
    const subscriber = createKafkaSubscriber({
      kafka,
      logger,
      retryBackoffInitialMs: 100,
      ...TEST_SUBSCRIBER_TIMINGS,
      ...options,
    });
    running.push(subscriber);
    await subscriber.start(handler);
    return subscriber;
  };
  const publishNumbered = (topic: string, from: number, count: number) =>
    publisher.publish(
      Array.from({ length: count }, (_, i) => ({
        topic,
        key: `saga-${(from + i) % 3}`,
        value: String(from + i),
      })),
    );
  const lagOf = async (groupId: string, topic: string) =>
    totalLag(await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] }));
  const committedOf = async (groupId: string, topic: string) =>
    (await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] }))[0]?.committedOffset;
  const values = (messages: readonly IncomingMessage[]) =>
    messages.map((m) => Number(m.value?.toString()));

  it('re-delivers a rejected batch from its first offset, commits only after success, and a restart resumes there', async () => {
    const topic = await infra.createTopic('redeliver');
    const groupId = `${infra.prefix}-redeliver`;
    await publishNumbered(topic, 0, 10);

    const deliveries: Array<{ first: string; values: number[]; committed: string | null }> = [];
    const handled: number[] = [];
    const first = await start({ groupId, topics: [topic] }, async (messages) => {
      const committed = (await committedOf(groupId, topic)) ?? null;
      deliveries.push({ first: messages[0]!.offset, values: values(messages), committed });
      if (deliveries.length <= 2) throw new Error(`refusing delivery ${deliveries.length}`);
      handled.push(...values(messages));
    });
    await until('all ten handled and committed', async () => {
      return handled.length >= 10 && (await lagOf(groupId, topic)) === 0;
    });
    expect(deliveries.length).to.be.at.least(3);
    // The rejected batch came back from the same first offset, with nothing committed meanwhile.
    expect(deliveries[1]!.first).to.equal(deliveries[0]!.first);
    expect(deliveries[2]!.first).to.equal(deliveries[0]!.first);
    expect(deliveries[1]!.committed).to.equal(null);
    expect(deliveries[2]!.committed).to.equal(null);
    expect(handled).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await committedOf(groupId, topic)).to.equal('10');
    expect(lines.filter((l) => l.msg.startsWith('handler rejected a batch'))).to.have.length(2);
    await first.stop();

    // Same group again: what was committed is not delivered again, only what is new.
    await publishNumbered(topic, 10, 5);
    const afterRestart: number[] = [];
    const second = await start({ groupId, topics: [topic] }, async (messages) => {
      afterRestart.push(...values(messages));
    });
    await until('the five new ones', async () => (await lagOf(groupId, topic)) === 0);
    expect(afterRestart).to.deep.equal([10, 11, 12, 13, 14]);

    // A batch whose handler failed and whose subscriber then stopped is delivered to the next one.
    // Stop the second subscriber before publishing, or it may take the three itself (it did,
    // once, on a loaded machine, and the refusing subscriber then had nothing to refuse).
    await second.stop();
    await publishNumbered(topic, 15, 3);
    let refusals = 0;
    const third = await start({ groupId, topics: [topic] }, async () => {
      refusals += 1;
      throw new Error('not now');
    });
    await until('a refused delivery', () => refusals >= 1);
    await third.stop();
    expect(await committedOf(groupId, topic)).to.equal('15');
    const redelivered: number[] = [];
    await start({ groupId, topics: [topic] }, async (messages) => {
      redelivered.push(...values(messages));
    });
    await until('the uncommitted three', async () => (await lagOf(groupId, topic)) === 0);
    expect(redelivered).to.deep.equal([15, 16, 17]);
  });

  it('backs off a rejecting partition while the other partition is handled, losing nothing', async () => {
    const topic = await infra.createTopic('isolation', 2);
    const groupId = `${infra.prefix}-isolation`;
    const handled: IncomingMessage[] = [];
    let poisoned: number | undefined;
    let healthyHandledWhileBlocked = false;
    await start(
      { groupId, topics: [topic], partitionsConsumedConcurrently: 2, retryBackoffInitialMs: 200 },
      async (messages, context) => {
        poisoned ??= context.partition;
        if (context.partition === poisoned && !healthyHandledWhileBlocked) {
          throw new Error('this partition is not ready yet');
        }
        if (context.partition !== poisoned) healthyHandledWhileBlocked = true;
        handled.push(...messages);
      },
    );
    // Keys spread over both partitions.
    await publisher.publish(
      Array.from({ length: 20 }, (_, i) => ({ topic, key: `k-${i}`, value: String(i) })),
    );
    await until('every message handled', async () => (await lagOf(groupId, topic)) === 0);
    expect(healthyHandledWhileBlocked).to.equal(true);
    expect(new Set(values(handled))).to.have.property('size', 20);
  });

  it('stop() waits for the batch in hand and commits it', async () => {
    const topic = await infra.createTopic('stop-commits');
    const groupId = `${infra.prefix}-stop`;
    await publishNumbered(topic, 0, 4);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held: BatchContext | undefined;
    const subscriber = await start({ groupId, topics: [topic] }, async (_messages, context) => {
      held = context;
      await gate;
    });
    await until('the handler to hold a batch', () => held !== undefined);
    expect(held!.isStale()).to.equal(false);
    let stopped = false;
    const stopping = subscriber.stop().then(() => (stopped = true));
    // The handler sees the stop coming (isStale), and stop() is still waiting for it.
    await until('the batch in hand to turn stale', () => held!.isStale());
    expect(stopped).to.equal(false);
    expect(subscriber.isJoined()).to.equal(false);
    release();
    await stopping;
    expect(await committedOf(groupId, topic)).to.equal('4');
    const { groups } = await infra.admin.describeGroups([groupId]);
    expect(groups[0]?.members).to.have.length(0);
  });

  it('start() rejects when the brokers cannot be reached, and the subscriber stays usable', async () => {
    const unreachable = createKafkaClient(
      compileKafkaOptions({
        brokers: ['127.0.0.1:1'],
        clientId: `${infra.prefix}-nowhere`,
        logger,
        retries: 0,
        connectionTimeoutMs: 500,
      }),
    );
    const subscriber = createKafkaSubscriber({
      kafka: unreachable,
      logger,
      groupId: `${infra.prefix}-nowhere`,
      topics: [infra.topic('nowhere')],
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    let failure: unknown;
    await subscriber.start(async () => undefined).catch((e: unknown) => (failure = e));
    expect(failure).to.be.instanceOf(Error);
    expect(subscriber.isJoined()).to.equal(false);
    expect(lines.some((l) => l.msg === 'could not join the consumer group')).to.equal(true);
    // Back to idle: stop is a no-op, and start may be tried again (and fails the same way).
    await subscriber.stop();
    let again: unknown;
    await subscriber.start(async () => undefined).catch((e: unknown) => (again = e));
    expect(again).to.be.instanceOf(Error);
  });
});
