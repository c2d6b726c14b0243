/**
 * A success reply that breaks its step's `replySchema`, on real Kafka and Redis: it is
 * dead-lettered as SCHEMA_INVALID with the schema error, the saga does not move on it, and a good
 * reply to the same command — forced into the same batch by one send — is applied.
 */
import { expect } from 'chai';
import type { Consumer } from 'kafkajs';
import { DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/index.js';
import { eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

describe('reply contract: a success reply that breaks its reply schema is dead-lettered, not applied', function () {
  this.timeout(120_000);
  // No participants: this test is the inventory participant, and replies by hand.
  const sut = useSystem('reply-contract', { participants: false });
  const dlq: { key: string; headers: Record<string, string> }[] = [];
  let dlqConsumer: Consumer;

  before(async function () {
    this.timeout(60_000);
    dlqConsumer = await sut.infra.consumer();
    await dlqConsumer.subscribe({ topic: `${sut.infra.prefix}.dlq`, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          key: message.key?.toString('utf8') ?? '',
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
      },
    });
  });

  it('dead-letters the bad reply with SCHEMA_INVALID and applies the good one of the same batch', async () => {
    const { system, infra } = sut;
    const started = await system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput() },
    });
    if (started.status !== 'started') throw new Error(started.status);
    const sagaId = started.record.id;
    const command = started.record.pending[0];
    expect(command?.command).to.equal('ReserveItems');
    const reply = (payload: object) =>
      JSON.stringify({
        commandId: command?.commandId,
        sagaId,
        type: 'ReserveItems',
        outcome: 'success',
        payload,
      });

    const producer = await infra.producer({ idempotent: true });
    await producer.send({
      topic: `${infra.prefix}.replies`,
      messages: [
        { key: sagaId, value: reply({ reservationId: 42 }) },
        { key: sagaId, value: reply({ reservationId: 'rsv-good' }) },
      ],
    });

    const letter = await eventually('the bad reply’s dead letter', async () =>
      dlq.find((d) => d.key === sagaId),
    );
    expect(letter.headers[HEADERS.dlqErrorCode]).to.equal(DLQ_ERROR_CODES.invalid);
    expect(letter.headers[HEADERS.dlqReason]).to.contain(
      'step reserveInventory: the success reply to inventory.ReserveItems does not match its replySchema: /reservationId must be string',
    );
    const moved = await eventually('the good reply to be applied', async () => {
      const record = await system.orchestrator.store.load(sagaId);
      return record?.state === 'authorizePayment.attempting' ? record : undefined;
    });
    const steps = (moved.snapshot.context as { steps: Record<string, { result?: object }> }).steps;
    expect(steps.reserveInventory?.result).to.deep.equal({ reservationId: 'rsv-good' });
    expect(dlq.filter((d) => d.key === sagaId)).to.have.length(1);
  });
});
