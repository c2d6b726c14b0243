/**
 * A healthy start logs no ERROR (issue 16): kafkajs logs the broker answers it retries (a new
 * topic has no leader yet, the group coordinator is loading) at error level; the wire layer's log
 * adapter logs them at debug (test/unit/transport/kafka-options.test.ts forces each condition
 * through it). Here, end to end: a subscriber on a brand-new topic, with kafkajs logging
 * everything, joins, receives a message, and not one error-level line is written.
 */
import { expect } from 'chai';
import { eventually } from '../../support/eventually.js';
import { infraEndpoints, useInfra } from '../../support/infra.js';
import {
  compileKafkaOptions,
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
} from '../../../wire/kafka/index.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS } from './support.js';

describe('transport: a healthy start logs no error', function () {
  this.timeout(120_000);
  const infra = useInfra('transport-healthy-start');

  it('a subscriber joining a fresh topic and a publisher sending to it log nothing at error level', async () => {
    const { logger, lines } = recordingLogger();
    const kafka = createKafkaClient(
      compileKafkaOptions({
        brokers: infraEndpoints().brokers,
        clientId: infra.prefix,
        logLevel: 'debug',
        logger,
      }),
    );
    const topic = await infra.createTopic('fresh', 3);
    const received: string[] = [];
    const subscriber = createKafkaSubscriber({
      kafka,
      logger,
      groupId: `${infra.prefix}.fresh`,
      topics: [topic],
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    const publisher = await createKafkaPublisher({ kafka, logger });
    try {
      await subscriber.start(async (batch) => {
        for (const message of batch) received.push(message.value?.toString() ?? '');
      });
      await eventually('the subscriber to join', async () => subscriber.isJoined() || undefined);
      await publisher.publish([{ topic, key: 'k', value: 'hello' }]);
      await eventually('the message', async () => (received.length > 0 ? true : undefined));
    } finally {
      await subscriber.stop();
      await publisher.close();
    }
    expect(received).to.deep.equal(['hello']);
    // kafkajs did talk (at debug it logs every request), so an error line would have been seen.
    expect(lines.filter((line) => line.ns.endsWith('kafkajs')).length).to.be.greaterThan(10);
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors, JSON.stringify(errors, null, 2)).to.deep.equal([]);
  });
});
