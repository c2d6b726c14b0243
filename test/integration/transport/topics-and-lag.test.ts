import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { useInfra } from '../../support/infra.js';
import {
  contractTopicSpecs,
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  ensureTopics,
  fetchConsumerLag,
  TopicPartitionMismatchError,
  totalLag,
  type KafkaPublisher,
} from '../../../wire/kafka/index.js';
import { until } from '../../support/eventually.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS, testKafkaOptions } from './support.js';

describe('transport: topic provisioning and consumer lag', function () {
  this.timeout(90_000);
  const infra = useInfra('transport-topics');
  const { logger, lines } = recordingLogger();
  let kafka: Kafka;
  let publisher: KafkaPublisher;

  before(async () => {
    kafka = createKafkaClient(testKafkaOptions(infra.prefix, logger));
    publisher = await createKafkaPublisher({ kafka, logger });
  });
  after(() => publisher.close());

  const partitionsOf = async (topics: string[]) => {
    const { topics: metadata } = await infra.admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(metadata.map((t) => [t.name, t.partitions.length]));
  };

  it("creates the contract's topics with the wanted partitions, and is idempotent", async () => {
    const specs = contractTopicSpecs({
      prefix: infra.prefix,
      participants: ['inventory', 'payment'],
      partitions: 3,
    });
    const names = specs.map((s) => s.topic);
    expect(names).to.deep.equal(
      ['replies', 'requests', 'events', 'dlq', 'inventory.commands', 'payment.commands'].map(
        (n) => `${infra.prefix}.${n}`,
      ),
    );
    const first = await ensureTopics({ admin: infra.admin, topics: specs, logger });
    expect(first.map((r) => r.outcome)).to.deep.equal(Array(6).fill('created'));
    expect(await partitionsOf(names)).to.deep.equal(Object.fromEntries(names.map((n) => [n, 3])));

    // Twice more, once concurrently: nothing changes, nothing fails.
    const again = await Promise.all([
      ensureTopics({ admin: infra.admin, topics: specs, logger }),
      ensureTopics({ admin: infra.admin, topics: specs, logger }),
    ]);
    for (const reports of again) {
      expect(reports.map((r) => r.outcome)).to.deep.equal(Array(6).fill('exists'));
    }
  });

  it('reports a partition-count mismatch, and grows only when asked', async () => {
    const topic = await infra.createTopic('mismatch', 2);
    const spec = [{ topic, partitions: 4 }];
    const reports = await ensureTopics({ admin: infra.admin, topics: spec, logger });
    expect(reports[0]).to.include({
      outcome: 'partition-mismatch',
      partitions: 2,
      wantedPartitions: 4,
    });
    expect(reports[0]?.message).to.match(/has 2 partitions, 4 wanted/);
    expect(lines.some((l) => l.level === 'warn' && /has 2 partitions/.test(l.msg))).to.equal(true);
    expect((await partitionsOf([topic]))[topic]).to.equal(2);

    let failure: unknown;
    await ensureTopics({ admin: infra.admin, topics: spec, logger, failOnMismatch: true }).catch(
      (e: unknown) => (failure = e),
    );
    expect(failure).to.be.instanceOf(TopicPartitionMismatchError);

    const grown = await ensureTopics({
      admin: infra.admin,
      topics: spec,
      logger,
      growPartitions: true,
    });
    expect(grown[0]).to.include({ outcome: 'grown', partitions: 4 });
    await until('four partitions', async () => (await partitionsOf([topic]))[topic] === 4);

    // More partitions than wanted cannot be undone: reported, never an error unless asked.
    const fewer = await ensureTopics({
      admin: infra.admin,
      topics: [{ topic, partitions: 1 }],
      logger,
    });
    expect(fewer[0]?.outcome).to.equal('partition-mismatch');
    expect(fewer[0]?.message).to.match(/cannot remove partitions/);
  });

  it('reports per-partition lag for a group that consumed part of a topic', async () => {
    const topic = await infra.createTopic('lag', 2);
    const groupId = `${infra.prefix}-lag`;
    // Explicit partitions make the expected numbers exact: 6 on partition 0, 4 on partition 1.
    // Idempotent, because a send retried on a fresh topic (its leader still settling) may
    // otherwise append a batch twice (CI once saw 12 on partition 0).
    const producer = await infra.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 6 }, (_, i) => ({ partition: 0, key: 'a', value: `p0-${i}` })),
        ...Array.from({ length: 4 }, (_, i) => ({ partition: 1, key: 'b', value: `p1-${i}` })),
      ],
    });

    // Before the group exists, everything retained counts.
    const before = await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] });
    expect(before.map((p) => [p.partition, p.committedOffset, p.lag])).to.deep.equal([
      [0, null, 6],
      [1, null, 4],
    ]);

    // The group consumes partition 0 and refuses partition 1 (so nothing is committed there).
    const subscriber = createKafkaSubscriber({
      kafka,
      logger,
      groupId,
      topics: [topic],
      retryBackoffInitialMs: 100,
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    await subscriber.start(async (_messages, context) => {
      if (context.partition === 1) throw new Error('not consuming partition 1');
    });
    await until('partition 0 committed', async () => {
      const lag = await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] });
      return lag[0]?.committedOffset === '6';
    });
    await subscriber.stop();
    await producer.send({
      topic,
      messages: Array.from({ length: 3 }, (_, i) => ({
        partition: 0,
        key: 'a',
        value: `late-${i}`,
      })),
    });

    const lag = await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] });
    expect(lag).to.deep.equal([
      { topic, partition: 0, highWatermark: '9', lowWatermark: '0', committedOffset: '6', lag: 3 },
      { topic, partition: 1, highWatermark: '4', lowWatermark: '0', committedOffset: null, lag: 4 },
    ]);
    expect(totalLag(lag)).to.equal(7);
  });
});
