import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { useInfra } from '../../support/infra.js';
import {
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  fetchConsumerLag,
  totalLag,
  type KafkaPublisher,
  type KafkaSubscriber,
} from '../../../wire/kafka/index.js';
import type { IncomingMessage, OutgoingMessage } from '../../../wire/transport/ports.js';
import { until } from '../../support/eventually.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS, testKafkaOptions } from './support.js';

describe('transport: kafkajs publisher and subscriber', function () {
  this.timeout(90_000);
  const infra = useInfra('transport-pubsub');
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  const subscribers: KafkaSubscriber[] = [];
  const { logger, lines } = recordingLogger();

  before(async () => {
    kafka = createKafkaClient(testKafkaOptions(infra.prefix, logger));
    publisher = await createKafkaPublisher({ kafka, logger });
  });
  after(async () => {
    await Promise.allSettled(subscribers.map((s) => s.stop()));
    await publisher.close();
  });

  const subscribe = async (topics: string[], received: IncomingMessage[], groupId?: string) => {
    const subscriber = createKafkaSubscriber({
      kafka,
      groupId: groupId ?? `${infra.prefix}-${subscribers.length}`,
      topics,
      logger,
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    subscribers.push(subscriber);
    await subscriber.start(async (messages) => {
      received.push(...messages);
    });
    return subscriber;
  };

  it('delivers a batch across keys and topics once each, with keys, values, headers and per-key order', async () => {
    const orders = await infra.createTopic('orders', 3);
    const payments = await infra.createTopic('payments', 2);
    const received: IncomingMessage[] = [];
    const subscriber = await subscribe([orders, payments], received);
    expect(subscriber.isJoined()).to.equal(true);

    // Ten concurrent publish calls of six messages each, across six keys and two topics.
    const calls: OutgoingMessage[][] = Array.from({ length: 10 }, (_, call) =>
      Array.from({ length: 6 }, (_, i) => {
        const seq = call * 6 + i;
        const key = `saga-${seq % 6}`;
        return {
          topic: seq % 2 === 0 ? orders : payments,
          key,
          value: JSON.stringify({ key, seq }),
          headers: { 'saga-id': key, seq: String(seq), 'x-unicode': 'ünï' },
        };
      }),
    );
    const batchesBefore = publisher.sentBatches();
    await Promise.all(calls.map((messages) => publisher.publish(messages)));
    // Calls made together coalesce into one sendBatch instead of ten awaited sends.
    expect(publisher.sentBatches() - batchesBefore).to.equal(1);
    expect(publisher.pendingMessages()).to.equal(0);

    // Done when the group has committed everything; only then count, so extras would show.
    await until('the group to commit every message', async () => {
      const lag = await fetchConsumerLag({
        admin: infra.admin,
        groupId: subscriber.groupId,
        topics: [orders, payments],
      });
      return lag.length === 5 && totalLag(lag) === 0;
    });
    expect(received).to.have.length(60);

    const sent = calls.flat();
    const bySeq = new Map(received.map((m) => [seqOf(m), m]));
    expect(bySeq.size).to.equal(60);
    for (const [seq, message] of sent.entries()) {
      const got = bySeq.get(seq);
      expect(got, `message ${seq}`).to.not.equal(undefined);
      expect(got!.topic).to.equal(message.topic);
      expect(got!.key).to.equal(message.key);
      expect(got!.value!.toString()).to.equal(message.value);
      expect(got!.headers).to.deep.equal(message.headers);
      expect(got!.timestamp).to.be.a('number').and.be.greaterThan(0);
    }
    for (let k = 0; k < 6; k++) {
      for (const topic of [orders, payments]) {
        const forKey = received.filter((m) => m.key === `saga-${k}` && m.topic === topic);
        expect(new Set(forKey.map((m) => m.partition)).size).to.be.at.most(1);
        const seqs = forKey.map((m) => seqOf(m));
        expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
      }
    }
  });

  it('places keys on the partitions a Java client picks (murmur2)', async () => {
    const topic = await infra.createTopic('java-partitions', 4);
    // murmur2 hashes from Apache Kafka's own UtilsTest; Java's partition = (hash & 0x7fffffff) % n.
    const vectors: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    await publisher.publish(vectors.map(([key]) => ({ topic, key, value: key })));
    const received: IncomingMessage[] = [];
    await subscribe([topic], received);
    await until('all six keys', () => received.length >= vectors.length);
    for (const [key, hash] of vectors) {
      const message = received.find((m) => m.key === key);
      expect(message?.partition, key).to.equal((hash & 0x7fffffff) % 4);
    }
  });

  it('rejects a publish to a topic that does not exist, and keeps working afterwards', async () => {
    const missing = infra.topic('does-not-exist');
    const fast = await createKafkaPublisher({ kafka, logger, sendRetries: 1, ackTimeoutMs: 5_000 });
    try {
      let failure: unknown;
      await fast.publish([{ topic: missing, key: 'k', value: 'v' }]).catch((e: unknown) => {
        failure = e;
      });
      expect(failure).to.be.instanceOf(Error);
      expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('publish failed'))).to.equal(
        true,
      );
      const topic = await infra.createTopic('after-failure');
      await fast.publish([{ topic, key: 'k', value: 'after' }]);
      const [offsets] = await infra.admin.fetchTopicOffsets(topic);
      expect(offsets?.high).to.equal('1');
    } finally {
      await fast.close();
    }
  });
});

function seqOf(message: IncomingMessage): number {
  return (JSON.parse(message.value?.toString() ?? 'null') as { seq: number }).seq;
}
