/**
 * Bad input on the orchestrator's two inbound topics, on real Kafka and Redis (guarantee 5 of
 * DESIGN.md: nothing crashes a consumer or blocks a partition).
 *
 * - `<prefix>.replies`: a reply that is not JSON, empty, or not a valid reply, and a valid reply
 *   for a saga nobody knows, go to `<prefix>.dlq` with the reason and their origin in headers. A
 *   valid reply for a saga that exists but whose `commandId` is not pending — never issued, or
 *   answered already — is NOT dead-lettered: guarantee 2 says it changes nothing, and the runtime
 *   ignores it (the `eventIgnored` hook, which telemetry counts, reports it as `not-pending`).
 *   A command id the saga never issued cannot be told from a late or duplicate one without
 *   reading its history, and neither is an error of the message: it is the normal residue of
 *   at-least-once delivery, so ignoring it is the contract, not a gap.
 * - `<prefix>.requests`: a request that is not JSON, not a valid request, names an unknown saga
 *   type, carries input the definition refuses, or a bad saga id, goes to the DLQ with the reason.
 *
 * Each time, a good message sent after the poison on the same partition (the same key) is
 * processed: its saga starts and completes.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Consumer, RecordMetadata } from 'kafkajs';
import { DLQ_ERROR_CODES, HEADERS } from '../../../wire/contract/headers.js';
import type { SagaEvent } from '../../../orchestrator/engine/types.js';
import { sagaIdForKey } from '../../../orchestrator/runtime/saga-ids.js';
import { eventually } from '../../support/eventually.js';
import { orderInput } from '../../support/orders.js';
import { useSystem } from '../../support/system.js';

interface DeadLetter {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

interface Poison {
  what: string;
  value: string | Buffer | null;
  /** The DLQ code it must get; undefined: it must be ignored, not dead-lettered. */
  code?: string;
  /** Text the `dlq-reason` header must contain. */
  reason?: string;
}

const hex = () => randomBytes(4).toString('hex');

describe('bad input: dead-lettered with the reason, or ignored where that is the contract; the consumer goes on', function () {
  this.timeout(180_000);
  const ignored: { sagaId: string; event: SagaEvent; reason: string }[] = [];
  const deadLettered: { source: string; code: string }[] = [];
  const sut = useSystem('bad-input', {
    hooks: {
      eventIgnored: ({ sagaId, event, reason }) => ignored.push({ sagaId, event, reason }),
      deadLettered: ({ source, code }) => deadLettered.push({ source, code }),
    },
  });
  const dlq: DeadLetter[] = [];
  let dlqConsumer: Consumer;

  before(async function () {
    this.timeout(60_000);
    dlqConsumer = await sut.infra.consumer();
    await dlqConsumer.subscribe({ topic: `${sut.infra.prefix}.dlq`, fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          key: message.key?.toString('utf8') ?? '',
          value: message.value ?? Buffer.alloc(0),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        });
      },
    });
  });

  /** Sends the poison in one batch keyed `key`; returns each message's partition and offset. */
  async function sendAll(topic: string, key: string, poison: readonly Poison[]) {
    const producer = await sut.infra.producer({ idempotent: true });
    const [meta] = (await producer.send({
      topic,
      messages: poison.map((p) => ({ key, value: p.value })),
    })) as [RecordMetadata];
    // One batch to one partition: consecutive offsets from the base offset.
    return poison.map((p, i) => ({
      ...p,
      partition: meta.partition,
      offset: String(BigInt(meta.baseOffset ?? '-1') + BigInt(i)),
    }));
  }

  function deadLetterFor(topic: string, offset: string): Promise<DeadLetter> {
    return eventually(
      `the dead letter of ${topic}@${offset}`,
      () =>
        dlq.find(
          (d) =>
            d.headers[HEADERS.dlqSourceTopic] === topic &&
            d.headers[HEADERS.dlqSourceOffset] === offset,
        ),
      60_000,
    );
  }

  /** Every poison message with a code has its dead letter, with the reason and its origin. */
  async function expectDeadLetters(
    topic: string,
    key: string,
    sent: Awaited<ReturnType<typeof sendAll>>,
  ) {
    for (const p of sent.filter((s) => s.code !== undefined)) {
      const letter = await deadLetterFor(topic, p.offset);
      expect(letter.headers[HEADERS.dlqErrorCode], p.what).to.equal(p.code);
      expect(letter.headers[HEADERS.dlqReason], p.what).to.contain(p.reason ?? '');
      expect(letter.headers[HEADERS.dlqSourcePartition], p.what).to.equal(String(p.partition));
      expect(letter.headers[HEADERS.dlqSource], p.what).to.equal('orchestrator');
      expect(Number.isNaN(Date.parse(letter.headers[HEADERS.dlqAt] ?? '')), p.what).to.equal(false);
      expect(letter.key, p.what).to.equal(key);
      const original = p.value === null ? Buffer.alloc(0) : Buffer.from(p.value);
      expect(letter.value.equals(original), `${p.what}: the value is kept as it was`).to.equal(
        true,
      );
    }
  }

  it('replies: malformed, invalid and unknown-saga ones are dead-lettered, not-pending ones ignored', async () => {
    const { system, infra } = sut;
    const topic = `${infra.prefix}.replies`;
    // A saga that waits (an order above the approval threshold), with no command pending.
    const waiting = await system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput({ amount: 20_000 }) },
    });
    if (waiting.status !== 'started') throw new Error(waiting.status);
    const waitingId = waiting.record.id;
    const parked = await eventually('the saga to wait for approval', async () => {
      const record = await system.orchestrator.store.load(waitingId);
      return record?.state === 'awaitingApproval' ? record : undefined;
    });
    expect(parked.pending).to.deep.equal([]);

    const after = `bad-input-after-${hex()}`;
    const unknownSaga = `no-such-saga-${hex()}`;
    const reply = (sagaId: string, commandId: string, type: string) =>
      JSON.stringify({ commandId, sagaId, type, outcome: 'success', payload: { fromTest: true } });
    const poison: Poison[] = [
      { what: 'not JSON', value: 'this is not JSON {', code: 'MALFORMED', reason: 'not JSON' },
      {
        what: 'not UTF-8',
        value: Buffer.from([0xff, 0xfe, 0xfd]),
        code: DLQ_ERROR_CODES.malformed,
        reason: 'not JSON',
      },
      { what: 'a tombstone', value: null, code: 'MALFORMED', reason: 'empty value' },
      { what: 'an array', value: '[1,2,3]', code: 'SCHEMA_INVALID', reason: 'must be object' },
      {
        what: 'missing fields',
        value: JSON.stringify({ commandId: 'c-1', sagaId: after }),
        code: 'SCHEMA_INVALID',
        reason: 'must have property "type"',
      },
      {
        what: 'a failure without its error',
        value: JSON.stringify({ commandId: 'c-2', sagaId: after, type: 'X', outcome: 'failure' }),
        code: 'SCHEMA_INVALID',
        reason: 'must have property "error"',
      },
      {
        what: 'an unknown saga',
        value: reply(unknownSaga, `${unknownSaga}.reserveInventory.1`, 'ReserveItems'),
        code: DLQ_ERROR_CODES.unknown,
        reason: `no saga "${unknownSaga}"`,
      },
      // Valid replies for a saga that exists, to commands that are not pending: ignored.
      {
        what: 'a command never issued',
        value: reply(waitingId, `${waitingId}.confirmOrder.1`, 'ConfirmOrder'),
      },
      { what: 'a made-up command id', value: reply(waitingId, 'made-up', 'ReserveItems') },
      {
        what: 'a command answered already',
        value: reply(waitingId, `${waitingId}.reserveInventory.1`, 'ReserveItems'),
      },
      // Its dead letter shows that everything before it on the partition was processed.
      { what: 'the marker', value: 'marker: not JSON', code: 'MALFORMED', reason: 'not JSON' },
    ];
    // Keyed by the saga that comes after: its replies follow the poison on the same partition.
    const sent = await sendAll(topic, after, poison);
    await expectDeadLetters(topic, after, sent);

    // The three not-pending replies were consumed and ignored, and none was dead-lettered.
    const ignoredHere = ignored.filter(
      (i) => i.sagaId === waitingId && i.event.kind === 'reply' && i.event.reply.payload?.fromTest,
    );
    expect(ignoredHere.map((i) => i.reason)).to.deep.equal([
      'not-pending',
      'not-pending',
      'not-pending',
    ]);
    const ignoredOffsets = sent.filter((s) => s.code === undefined).map((s) => s.offset);
    const lettersFromHere = dlq.filter(
      (d) => d.headers[HEADERS.dlqSourceTopic] === topic && d.key === after,
    );
    expect(lettersFromHere.map((d) => d.headers[HEADERS.dlqSourceOffset])).to.not.include.members(
      ignoredOffsets,
    );
    expect(lettersFromHere).to.have.length(poison.filter((p) => p.code).length);
    const still = await system.orchestrator.store.load(waitingId);
    expect(still?.revision, 'the waiting saga did not move').to.equal(parked.revision);
    expect(still?.state).to.equal('awaitingApproval');
    expect(deadLettered.filter((d) => d.source === 'orchestrator.replies')).to.have.length(
      lettersFromHere.length,
    );

    // The partition is not blocked: a saga whose replies come after the poison completes.
    const started = await system.orchestrator.startSaga({
      type: 'order',
      id: after,
      input: { ...orderInput() },
    });
    expect(started.status).to.equal('started');
    const done = await system.orchestrator.waitForResult(after, 60_000);
    expect(done?.status).to.equal('completed');
    expect(await system.invariantViolations()).to.deep.equal([]);
  });

  it('replies: one whose saga-type header names another type than its saga is dead-lettered (MISMATCH)', async () => {
    const { system, infra } = sut;
    const topic = `${infra.prefix}.replies`;
    const started = await system.orchestrator.startSaga({
      type: 'order',
      input: { ...orderInput({ amount: 20_000 }) },
    });
    if (started.status !== 'started') throw new Error(started.status);
    const sagaId = started.record.id;
    // Once it waits for approval, a reply to its first command would be ignored (answered).
    const waiting = await eventually('the saga to wait for approval', async () => {
      const record = await system.orchestrator.store.load(sagaId);
      return record?.state === 'awaitingApproval' ? record : undefined;
    });
    const producer = await sut.infra.producer({ idempotent: true });
    const value = JSON.stringify({
      commandId: `${sagaId}.reserveInventory.1`,
      sagaId,
      type: 'ReserveItems',
      outcome: 'success',
      payload: {},
    });
    const [meta] = (await producer.send({
      topic,
      messages: [{ key: sagaId, value, headers: { [HEADERS.sagaType]: 'refund' } }],
    })) as [RecordMetadata];
    const letter = await eventually('the dead letter of the mismatched reply', async () =>
      dlq.find(
        (d) =>
          d.headers[HEADERS.dlqSourceTopic] === topic &&
          d.headers[HEADERS.dlqSourcePartition] === String(meta.partition) &&
          d.headers[HEADERS.dlqSourceOffset] === String(meta.baseOffset),
      ),
    );
    expect(letter.headers[HEADERS.dlqErrorCode]).to.equal(DLQ_ERROR_CODES.mismatch);
    expect(letter.headers[HEADERS.dlqReason]).to.contain('names saga type "refund"');
    expect((await system.orchestrator.store.load(sagaId))?.revision).to.equal(waiting.revision);
    expect(ignored.filter((i) => i.sagaId === sagaId)).to.deep.equal([]);
  });

  it('requests: malformed, invalid, unknown type, refused input and bad ids are dead-lettered', async () => {
    const { system, infra } = sut;
    const topic = `${infra.prefix}.requests`;
    const key = `bad-input-request-${hex()}`;
    const input = orderInput();
    const poison: Poison[] = [
      { what: 'not JSON', value: '{"type": "order",', code: 'MALFORMED', reason: 'not JSON' },
      { what: 'empty', value: '', code: 'MALFORMED', reason: 'empty value' },
      {
        what: 'no type',
        value: JSON.stringify({ input }),
        code: 'SCHEMA_INVALID',
        reason: 'must have property "type"',
      },
      {
        what: 'an unknown property',
        value: JSON.stringify({ type: 'order', input, priority: 'high' }),
        code: 'SCHEMA_INVALID',
        reason: 'unknown property "priority"',
      },
      {
        what: 'a bad saga id',
        value: JSON.stringify({ type: 'order', input, id: 'has spaces in it' }),
        code: 'SCHEMA_INVALID',
        reason: '/id must match pattern',
      },
      {
        what: 'an unknown saga type',
        value: JSON.stringify({ type: 'no-such-type', input }),
        code: DLQ_ERROR_CODES.unknown,
        reason: 'no-such-type',
      },
      {
        what: 'input the order saga refuses',
        value: JSON.stringify({
          type: 'order',
          input: { ...input, items: [] },
          idempotencyKey: key,
        }),
        code: 'SCHEMA_INVALID',
        reason: 'invalid input for order',
      },
    ];
    const good = JSON.stringify({ type: 'order', input, idempotencyKey: key });
    const sent = await sendAll(topic, key, [...poison, { what: 'the good request', value: good }]);
    await expectDeadLetters(topic, key, sent);

    // The good request, after the poison on the same partition, started its saga; the refused
    // one with the same key did not take the key.
    const sagaId = sagaIdForKey('order', key);
    await system.sagaExists(sagaId);
    const done = await system.orchestrator.waitForResult(sagaId, 60_000);
    expect(done?.status).to.equal('completed');
    const letters = dlq.filter((d) => d.headers[HEADERS.dlqSourceTopic] === topic && d.key === key);
    expect(letters).to.have.length(poison.length);
    expect(deadLettered.filter((d) => d.source === 'orchestrator.requests')).to.have.length(
      poison.length,
    );
  });
});
