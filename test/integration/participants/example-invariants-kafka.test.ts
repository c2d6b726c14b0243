import { silentLogger } from '../../../wire/telemetry/logger.js';
import { startExampleParticipants } from '../../../participants/examples/index.js';
import { useInfra } from '../../support/infra.js';
import { kafkaParticipants } from './support/kafka-participants.js';
import { expectBurstConsistent, runOrderBurst, seedBurst } from './support/order-burst.js';
import { collectReplies } from './support/reply-collector.js';

describe('example participants on Kafka: invariants after a burst with duplicates (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const infra = useInfra('example-burst-kafka');
  const harness = kafkaParticipants(infra);

  it('two instances of each example in one group, every command produced three times', async () => {
    await harness.createTopics(['inventory', 'payment', 'shipping'], 4);
    const keyPrefix = infra.key('shop');
    await seedBurst(infra.redis, keyPrefix);
    const replies = await collectReplies(infra, infra.topic('replies'));
    for (let instance = 0; instance < 2; instance++) {
      const examples = await startExampleParticipants({
        transport: harness.transport(),
        redis: infra.redis,
        keyPrefix,
        topicPrefix: infra.prefix,
        logger: silentLogger,
        retry: { maxTries: 1 },
        shipping: { failureRate: 0.3, failureSeed: 'burst' },
      });
      harness.track(examples.inventory);
      harness.track(examples.payment);
      harness.track(examples.shipping);
    }

    const delivered = new Map<string, number>();
    const tally = await runOrderBurst(120, async (participant, command) => {
      // The n-th copy of a command produced is answered by the n-th reply to it.
      const n = (delivered.get(command.commandId) ?? 0) + 1;
      delivered.set(command.commandId, n);
      await harness.sendCommands(participant, [{ ...command, replyTopic: infra.topic('replies') }]);
      return (await replies.waitForReply(command.commandId, n, 120_000)).reply;
    });
    await expectBurstConsistent(infra.redis, keyPrefix, tally);
  });
});
