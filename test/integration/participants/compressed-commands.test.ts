import { expect } from 'chai';
import { DLQ_ERROR_CODES, HEADERS, type JsonObject } from '../../../wire/contract/index.js';
import {
  defineParticipant,
  silentLogger,
  startParticipant,
} from '../../../participants/sdk/index.js';
import {
  CODECS,
  COMPRESSIBLE,
  failCodecFor,
  produceWithKcat,
  watchCodec,
} from '../../support/codecs.js';
import { useInfra } from '../../support/infra.js';
import { orderCommand } from './support/drive-participant.js';
import { kafkaParticipants } from './support/kafka-participants.js';
import { collectReplies, collectTopic } from './support/reply-collector.js';

/**
 * Commands compressed by kcat (librdkafka) in every codec Kafka defines reach an SDK participant's
 * handler; a batch that cannot be decompressed is dead-lettered and the partition moves on.
 */
describe('participant SDK: commands in every compression codec (real Kafka, kcat)', function () {
  this.timeout(120_000);
  const infra = useInfra('sdk-codecs');
  const harness = kafkaParticipants(infra);
  const echo = (name: string) =>
    defineParticipant({
      name,
      handlers: { Echo: async (payload: JsonObject) => ({ orderId: payload.orderId ?? null }) },
    });
  const start = (name: string) =>
    startParticipant(echo(name), {
      transport: harness.transport(),
      redis: infra.redis,
      topicPrefix: infra.prefix,
      ledgerKeyPrefix: infra.key(`ledger:{${name}}`),
      logger: silentLogger,
    }).then((running) => harness.track(running));
  let replies: Awaited<ReturnType<typeof collectReplies>>;
  let dlq: Awaited<ReturnType<typeof collectTopic>>;
  before(async function () {
    this.timeout(60_000);
    await harness.createTopics(['codecs', 'poison'], 2);
    replies = await collectReplies(infra, infra.topic('replies'));
    dlq = await collectTopic(infra, infra.topic('dlq'));
  });
  const command = (orderId: string, sagaId?: string) =>
    orderCommand(
      'Echo',
      { orderId, padding: COMPRESSIBLE },
      { replyTopic: infra.topic('replies'), ...(sagaId ? { sagaId } : {}) },
    );

  for (const codec of CODECS) {
    it(`handles a command produced in ${codec}`, async () => {
      await start('codecs');
      const watch = watchCodec(codec);
      try {
        const sent = command(`o-${codec}`);
        await produceWithKcat(infra.topic('codecs.commands'), codec, [
          { key: sent.sagaId, value: JSON.stringify(sent) },
        ]);
        const reply = await replies.waitForReply(sent.commandId, 1, 60_000);
        expect(reply.reply.outcome).to.equal('success');
        expect(reply.reply.payload).to.deep.equal({ orderId: `o-${codec}` });
        expect(watch.batches(), `a ${codec} batch was decompressed`).to.be.greaterThan(0);
      } finally {
        watch.restore();
      }
    });
  }

  it('dead-letters the commands of a batch it cannot decompress, and handles the next ones', async () => {
    // Its own topic: the poison batch is the first one on partition 0 (offsets 0 and 1).
    const commandTopic = infra.topic('poison.commands');
    await start('poison');
    const restore = failCodecFor('snappy', 'POISON', 'snappy: corrupt input (forced by the test)');
    try {
      const sagaId = `saga-codecs-${Date.now()}`;
      const poison = [command('POISON-1', sagaId), command('POISON-2', sagaId)];
      const after = command('after-the-poison', sagaId);
      const elsewhere = command('other-partition');
      // The poison batch, then (a separate kcat run, so a separate batch) a good command on
      // the same partition, and one on the other partition.
      const records = (c: typeof after) => [{ key: c.sagaId, value: JSON.stringify(c) }];
      await produceWithKcat(
        commandTopic,
        'snappy',
        [...records(poison[0]!), ...records(poison[1]!)],
        0,
      );
      await produceWithKcat(commandTopic, 'snappy', records(after), 0);
      await produceWithKcat(commandTopic, 'snappy', records(elsewhere), 1);

      expect((await replies.waitForReply(after.commandId, 1, 60_000)).reply.outcome).to.equal(
        'success',
      );
      expect((await replies.waitForReply(elsewhere.commandId, 1, 60_000)).reply.outcome).to.equal(
        'success',
      );
      const letters = await dlq.waitForCount(2, 60_000);
      for (const [index, letter] of letters.entries()) {
        expect(letter.headers[HEADERS.dlqErrorCode]).to.equal(DLQ_ERROR_CODES.undecodable);
        expect(letter.headers[HEADERS.dlqSource]).to.equal('participant:poison');
        expect(letter.headers[HEADERS.dlqSourceTopic]).to.equal(commandTopic);
        expect(letter.headers[HEADERS.dlqSourcePartition]).to.equal('0');
        expect(letter.headers[HEADERS.dlqSourceOffset]).to.equal(String(index));
        expect(letter.headers[HEADERS.dlqReason]).to.equal(
          'snappy record batch could not be decompressed (snappy: corrupt input (forced by the ' +
            `test)); ${commandTopic}[0] offsets 0..1 (2 records) skipped`,
        );
      }
      // Neither poison command reached the handler.
      expect(replies.repliesTo(poison[0]!.commandId)).to.deep.equal([]);
      expect(replies.repliesTo(poison[1]!.commandId)).to.deep.equal([]);
    } finally {
      restore();
    }
  });
});
