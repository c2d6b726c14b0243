import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { useInfra } from '../../support/infra.js';
import { DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/headers.js';
import { topicNames } from '../../../wire/contract/topics.js';
import { createDeadLetterPublisher } from '../../../wire/transport/dead-letter.js';
import {
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  type KafkaPublisher,
  type KafkaSubscriber,
} from '../../../wire/kafka/index.js';
import type { IncomingMessage } from '../../../wire/transport/ports.js';
import { until } from '../../support/eventually.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS, testKafkaOptions } from './support.js';

describe('transport: dead-letter publisher', function () {
  this.timeout(90_000);
  const infra = useInfra('transport-dlq');
  const { logger } = recordingLogger();
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

  const consume = async (topic: string, into: IncomingMessage[]) => {
    const subscriber = createKafkaSubscriber({
      kafka,
      logger,
      groupId: `${infra.prefix}-${running.length}`,
      topics: [topic],
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    running.push(subscriber);
    await subscriber.start(async (messages) => void into.push(...messages));
  };

  it('copies key, value and headers to <prefix>.dlq and adds the reason and the source', async () => {
    const names = topicNames(infra.prefix);
    const source = await infra.createTopic('replies');
    await infra.createTopic('dlq');
    expect(names.dlq).to.equal(infra.topic('dlq'));

    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x01]); // not UTF-8: kept byte for byte
    await publisher.publish([
      { topic: source, key: 'saga-1', value: binary, headers: { traceparent: '00-abc-def-01' } },
      { topic: source, key: 'saga-2', value: '{"ok":true}' },
    ]);
    const originals: IncomingMessage[] = [];
    await consume(source, originals);
    await until('the two originals', () => originals.length === 2);

    const at = new Date('2026-01-02T03:04:05.678Z');
    const dlq = createDeadLetterPublisher({
      publisher,
      topic: names.dlq,
      source: 'orchestrator',
      now: () => at,
    });
    const [malformed, unknown] = originals as [IncomingMessage, IncomingMessage];
    await dlq.deadLetter(malformed, {
      code: DLQ_ERROR_CODES.malformed,
      reason: 'value is not JSON',
    });
    await dlq.deadLetterAll([
      { message: unknown, reason: { code: DLQ_ERROR_CODES.unknown, reason: 'x'.repeat(5_000) } },
    ]);

    const letters: IncomingMessage[] = [];
    await consume(names.dlq, letters);
    await until('two dead letters', () => letters.length === 2);
    const [first, second] = letters as [IncomingMessage, IncomingMessage];
    expect(first.key).to.equal('saga-1');
    expect(first.value?.equals(binary)).to.equal(true);
    expect(first.headers).to.deep.equal({
      traceparent: '00-abc-def-01',
      [HEADERS.dlqReason]: 'value is not JSON',
      [HEADERS.dlqErrorCode]: 'MALFORMED',
      [HEADERS.dlqSourceTopic]: source,
      [HEADERS.dlqSourcePartition]: String(malformed.partition),
      [HEADERS.dlqSourceOffset]: malformed.offset,
      [HEADERS.dlqSource]: 'orchestrator',
      [HEADERS.dlqAt]: '2026-01-02T03:04:05.678Z',
    });
    expect(second.key).to.equal('saga-2');
    expect(second.value?.toString()).to.equal('{"ok":true}');
    expect(second.headers[HEADERS.dlqErrorCode]).to.equal('UNKNOWN');
    expect(second.headers[HEADERS.dlqSourceOffset]).to.equal(unknown.offset);
    // A long reason is cut, not dropped.
    expect(second.headers[HEADERS.dlqReason]).to.have.length(1_000);
  });
});
