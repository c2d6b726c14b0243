import { expect } from 'chai';
import {
  CONTRACT_VERSION,
  HEADERS,
  parseCommand,
  type CommandMessage,
  type ReplyMessage,
} from '../../../wire/contract/index.js';
import { infraEndpoints, useInfra } from '../../support/infra.js';
import { envelopeHeaders, kcat, type KcatEnvelope } from './support/kcat.js';
import { collectReplies } from './support/reply-collector.js';

/**
 * A participant that is not TypeScript: kcat (librdkafka) consumes a command from the command
 * topic in a consumer group and produces the reply by hand. The reply is read back by a Kafka
 * consumer on the replies topic and validated with the contract's schema.
 */
/** Command-line words (none of the values here holds a space). */
const words = (line: string) => line.split(' ');

describe('wire contract: a participant written with kcat (real Kafka)', function () {
  this.timeout(120_000);
  const infra = useInfra('kcat-participant');

  it('reads a command and answers it; the reply validates and keeps key, partition and trace', async () => {
    const brokers = infraEndpoints().brokers.join(',');
    // Several partitions: the reply must land on the partition its key maps to, like every
    // other message of the saga (Java's murmur2 partitioner, which kafkajs also uses).
    const commandTopic = await infra.createTopic('warehouse.commands', 4);
    const repliesTopic = await infra.createTopic('replies', 4);
    const replies = await collectReplies(infra, repliesTopic);

    const now = Date.now();
    const command: CommandMessage = {
      commandId: 'order-kcat-1.reserveInventory.1',
      sagaId: 'order-kcat-1',
      sagaType: 'order',
      type: 'ReserveItems',
      payload: { orderId: 'o-kcat-1', items: [{ sku: 'SKU-1', quantity: 2 }] },
      attempt: 1,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
      replyTopic: repliesTopic,
    };
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const producer = await infra.producer({ idempotent: true });
    const [sent] = await producer.send({
      topic: commandTopic,
      messages: [
        {
          key: command.sagaId,
          value: JSON.stringify(command),
          headers: {
            [HEADERS.traceparent]: `00-${traceId}-00f067aa0ba902b7-01`,
            [HEADERS.contractVersion]: String(CONTRACT_VERSION),
            [HEADERS.sagaId]: command.sagaId,
            [HEADERS.sagaType]: command.sagaType,
            [HEADERS.commandId]: command.commandId,
            [HEADERS.messageType]: command.type,
          },
        },
      ],
    });

    // The participant: kcat in the participant's consumer group, one message, JSON envelope.
    const out = await kcat([
      ...words(`-b ${brokers} -G ${infra.prefix}.warehouse -X auto.offset.reset=earliest`),
      ...words(`-c 1 -J -q ${commandTopic}`),
    ]);
    const envelope = JSON.parse(out.trim()) as KcatEnvelope;
    expect(envelope.key).to.equal(command.sagaId);
    expect(envelope.partition).to.equal(sent?.partition);
    const headers = envelopeHeaders(envelope);
    expect(headers[HEADERS.commandId]).to.equal(command.commandId);
    expect(headers[HEADERS.traceparent]).to.match(new RegExp(`^00-${traceId}-`));
    const parsed = parseCommand(envelope.payload);
    expect(parsed.ok, parsed.ok ? '' : parsed.reason).to.equal(true);
    if (!parsed.ok) return;
    const received = parsed.value;
    expect(Date.parse(received.expiresAt)).to.be.greaterThan(Date.now());

    // The reply, by hand, continuing the trace with a span of its own.
    const reply: ReplyMessage = {
      commandId: received.commandId,
      sagaId: received.sagaId,
      type: received.type,
      outcome: 'success',
      payload: { reservationId: 'rsv-by-kcat' },
    };
    await kcat(
      [
        ...words(`-b ${brokers} -P -t ${received.replyTopic} -k ${envelope.key ?? ''}`),
        // librdkafka's default partitioner is not Java's: murmur2 keeps the saga's partition.
        ...words('-X partitioner=murmur2_random'),
        ...words(`-H ${HEADERS.traceparent}=00-${traceId}-a3ce929d0e0e4736-01`),
        ...words(`-H ${HEADERS.contractVersion}=1 -H ${HEADERS.sagaId}=${received.sagaId}`),
        ...words(`-H ${HEADERS.sagaType}=${received.sagaType}`),
        ...words(`-H ${HEADERS.commandId}=${received.commandId}`),
        ...words(`-H ${HEADERS.messageType}=${received.type}`),
      ],
      `${JSON.stringify(reply)}\n`,
    );

    const got = await replies.waitForReply(command.commandId);
    expect(replies.invalid).to.deep.equal([]);
    expect(got.reply).to.deep.equal(reply);
    expect(got.key).to.equal(command.sagaId);
    expect(got.partition).to.equal(sent?.partition);
    expect(got.headers[HEADERS.traceparent]).to.match(
      new RegExp(`^00-${traceId}-a3ce929d0e0e4736-`),
    );
  });

  it('a reply with a missing field, written by hand, fails the schema the orchestrator uses', async () => {
    const brokers = infraEndpoints().brokers.join(',');
    const repliesTopic = await infra.createTopic('replies-bad');
    const replies = await collectReplies(infra, repliesTopic);
    const bad = { commandId: 'c-1', sagaId: 's-1', type: 'ReserveItems', outcome: 'failure' };
    await kcat(words(`-b ${brokers} -P -t ${repliesTopic} -k s-1`), `${JSON.stringify(bad)}\n`);
    await replies.waitForCount(1);
    expect(replies.invalid).to.have.length(1);
    expect(replies.invalid[0]).to.match(/must have property "error"/);
  });
});
