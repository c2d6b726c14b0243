import { createRequire } from 'node:module';
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { useInfra } from '../../support/infra.js';
import { elapse } from '../../support/eventually.js';
import {
  createKafkaClient,
  createKafkaPublisher,
  type KafkaPublisher,
} from '../../../wire/kafka/index.js';
import { testKafkaOptions } from './support.js';

/**
 * kafkajs 2.2.4 re-checked every connection's request queue every millisecond, forever, once the
 * connection had answered a request (kafkajs#1556): an idle producer and admin burned ~5 % of a
 * core. The transport's clients must not: idle connections check their queue only when a response
 * or a timeout asks them to.
 */
describe('transport: idle Kafka connections do not spin', function () {
  this.timeout(60_000);
  const infra = useInfra('transport-spin');
  type Queue = { prototype: { checkPendingRequests: (this: unknown) => void } };
  const RequestQueue = createRequire(import.meta.url)(
    'kafkajs/src/network/requestQueue/index.js',
  ) as Queue;
  const original = RequestQueue.prototype.checkPendingRequests;
  let checks = 0;
  let kafka: Kafka;
  let publisher: KafkaPublisher;

  before(async () => {
    kafka = createKafkaClient(testKafkaOptions(infra.prefix));
    publisher = await createKafkaPublisher({ kafka });
    RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
      checks += 1;
      original.call(this);
    };
  });
  after(async () => {
    RequestQueue.prototype.checkPendingRequests = original;
    await publisher.close();
  });

  it('a producer and an admin that answered requests stay quiet while idle', async () => {
    const topic = await infra.createTopic('spin');
    await publisher.publish([{ topic, key: 'k', value: 'v' }]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).to.include(topic);
      const before = checks;
      // Time itself is what is measured here: a second of doing nothing.
      await elapse(1_000);
      // With the loop: about a thousand per connection (producer, admin, metadata).
      expect(checks - before).to.be.below(20);
    } finally {
      await admin.disconnect();
    }
  });
});
