import { expect } from 'chai';
import { HEADERS } from '../../../wire/contract/headers.js';
import {
  createDeadLetterPublisher,
  deadLetterMessage,
} from '../../../wire/transport/dead-letter.js';
import { decodeHeaders, toIncomingMessage } from '../../../wire/kafka/message-codec.js';
import type {
  IncomingMessage,
  MessagePublisher,
  OutgoingMessage,
} from '../../../wire/transport/ports.js';

const incoming: IncomingMessage = {
  topic: 'saga.replies',
  partition: 3,
  offset: '42',
  key: null,
  value: null,
  headers: { 'dlq-reason': 'an older reason', traceparent: 't' },
  timestamp: 1,
};

describe('transport: dead-letter records and message decoding', () => {
  it('dead-letters a keyless tombstone with an empty key and value, replacing older dlq headers', () => {
    const record = deadLetterMessage(
      incoming,
      { code: 'SCHEMA_INVALID', reason: 'missing commandId' },
      { topic: 'saga.dlq', source: 'participant:inventory', at: new Date(0) },
    );
    expect(record.key).to.equal('');
    expect(Buffer.isBuffer(record.value) && record.value.length).to.equal(0);
    expect(record.headers).to.include({
      traceparent: 't',
      [HEADERS.dlqReason]: 'missing commandId',
      [HEADERS.dlqSourcePartition]: '3',
      [HEADERS.dlqSourceOffset]: '42',
      [HEADERS.dlqSource]: 'participant:inventory',
      [HEADERS.dlqAt]: '1970-01-01T00:00:00.000Z',
    });
  });

  it('publishes through the port it is given, in one batch for many', async () => {
    const published: OutgoingMessage[][] = [];
    const publisher: MessagePublisher = {
      publish: async (messages) => void published.push([...messages]),
      close: async () => undefined,
    };
    const dlq = createDeadLetterPublisher({ publisher, topic: 'p.dlq', source: 'orchestrator' });
    await dlq.deadLetterAll([
      { message: incoming, reason: { code: 'UNKNOWN', reason: 'a' } },
      { message: { ...incoming, offset: '43' }, reason: { code: 'UNKNOWN', reason: 'b' } },
    ]);
    expect(published).to.have.length(1);
    expect(published[0]!.map((m) => m.headers?.[HEADERS.dlqSourceOffset])).to.deep.equal([
      '42',
      '43',
    ]);
    expect(() => createDeadLetterPublisher({ publisher, topic: '', source: 'x' })).to.throw(
      /topic/,
    );
  });

  it('decodes headers to strings, the last value of a repeated header winning', () => {
    expect(
      decodeHeaders({
        a: Buffer.from('ä'),
        b: 'plain',
        c: [Buffer.from('first'), 'last'],
        d: undefined,
      }),
    ).to.deep.equal({ a: 'ä', b: 'plain', c: 'last' });
    const message = toIncomingMessage('t', 1, {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      timestamp: '1700000000000',
      attributes: 0,
      offset: '7',
      headers: {},
    });
    expect(message).to.deep.include({ topic: 't', partition: 1, offset: '7', key: 'k' });
    expect(message.timestamp).to.equal(1_700_000_000_000);
  });
});
