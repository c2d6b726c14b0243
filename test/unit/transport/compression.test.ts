import { createRequire } from 'node:module';
import { expect } from 'chai';
import {
  COMPRESSION_CODEC_IDS,
  registerCompressionCodecs,
  replaceCompressionCodec,
  type CompressionCodec,
} from '../../../wire/kafka/index.js';
import {
  UNDECODABLE_MARKER_HEADER,
  undecodableDetails,
} from '../../../wire/kafka/undecodable-batch.js';
import type { IncomingMessage } from '../../../wire/transport/ports.js';

/**
 * The codecs through kafkajs' own record batch encoder and decoder (the code its fetch runs), no
 * broker: what a batch in each codec decodes to, and what an undecodable one becomes.
 */
const require = createRequire(import.meta.url);
interface KafkaRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}
interface Encoder {
  buffer: Buffer;
}
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: {
    compression: number;
    firstOffset: unknown;
    lastOffsetDelta: number;
    records: Encoder[];
  }) => Promise<Encoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (options: {
  offsetDelta: number;
  key: Buffer;
  value: Buffer;
  headers?: Record<string, string>;
}) => Encoder;
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{ records: KafkaRecord[] }>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: string): unknown };

async function encodeBatch(compression: number, firstOffset: string, values: string[]) {
  const records = values.map((value, index) =>
    Record({ offsetDelta: index, key: Buffer.from(`key-${index}`), value: Buffer.from(value) }),
  );
  const batch = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(firstOffset),
    lastOffsetDelta: values.length - 1,
    records,
  });
  return batch.buffer;
}

/** Decodes as the fetch does: the batch is a slice of a larger response buffer. */
async function decodeInResponse(batch: Buffer): Promise<KafkaRecord[]> {
  const response = Buffer.concat([Buffer.from('fetch-response-bytes-before-the-batch'), batch]);
  const slice = response.subarray(response.length - batch.length);
  const decoded = await decodeRecordBatch(new Decoder(slice));
  return decoded.records;
}

const asIncoming = (record: KafkaRecord): IncomingMessage => ({
  topic: 't',
  partition: 0,
  offset: record.offset,
  key: null,
  value: record.value,
  headers: Object.fromEntries(
    Object.entries(record.headers).map(([name, value]) => [name, value.toString('utf8')]),
  ),
  timestamp: 0,
});

const failing = (message: string): CompressionCodec => ({
  compress: () => Promise.reject(new Error('not used')),
  decompress: () => Promise.reject(new Error(message)),
});

describe('transport: compression codecs', function () {
  before(() => registerCompressionCodecs());

  for (const [name, type] of [
    ['gzip', COMPRESSION_CODEC_IDS.gzip],
    ['snappy', COMPRESSION_CODEC_IDS.snappy],
    ['lz4', COMPRESSION_CODEC_IDS.lz4],
  ] as const) {
    it(`decodes a ${name} record batch into its records`, async function () {
      const values = ['{"a":1}', '{"b":2}', 'x'.repeat(5_000)];
      const records = await decodeInResponse(await encodeBatch(type, '40', values));
      expect(records.map((r) => r.value?.toString('utf8'))).to.deep.equal(values);
      expect(records.map((r) => r.offset)).to.deep.equal(['40', '41', '42']);
      expect(records.every((r) => undecodableDetails(asIncoming(r)) === undefined)).to.equal(true);
    });
  }

  it('registering twice changes nothing', async function () {
    registerCompressionCodecs();
    registerCompressionCodecs();
    const records = await decodeInResponse(
      await encodeBatch(COMPRESSION_CODEC_IDS.snappy, '0', ['v']),
    );
    expect(records.map((r) => r.value?.toString('utf8'))).to.deep.equal(['v']);
  });

  it('turns a batch its codec cannot decompress into placeholders at the batch offsets', async function () {
    const batch = await encodeBatch(COMPRESSION_CODEC_IDS.lz4, '1000', ['a', 'b', 'c', 'd']);
    const restore = replaceCompressionCodec('lz4', failing('lz4 block corrupt at byte 7'));
    let records: KafkaRecord[];
    try {
      records = await decodeInResponse(batch);
    } finally {
      restore();
    }
    expect(records).to.have.length(4);
    // The first and last offsets are the batch's own, so the consumer moves past it.
    expect(records[0]?.offset).to.equal('1000');
    expect(records[3]?.offset).to.equal('1003');
    const details = records.map((r) => undecodableDetails(asIncoming(r)));
    expect(details[0]).to.deep.equal({
      codec: 'lz4',
      error: 'lz4 block corrupt at byte 7',
      firstOffset: '1000',
      lastOffset: '1003',
      records: 4,
    });
    expect(details.every((d) => d !== undefined)).to.equal(true);
    // Restored: the same batch decodes again.
    const again = await decodeInResponse(batch);
    expect(again.map((r) => r.value?.toString('utf8'))).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('rethrows when the bytes before the compressed records are not provably its batch header', async function () {
    const batch = await encodeBatch(COMPRESSION_CODEC_IDS.gzip, '5', ['a', 'b']);
    // A flipped bit in the header fails the CRC: the header is not trusted, kafkajs' error stands.
    const tampered = Buffer.from(batch);
    tampered.writeInt32BE(tampered.readInt32BE(35) + 1, 35); // max timestamp
    const restore = replaceCompressionCodec('gzip', failing('bad gzip'));
    try {
      let error: unknown;
      await decodeInResponse(tampered).catch((e: unknown) => (error = e));
      expect((error as Error | undefined)?.message).to.equal('bad gzip');
    } finally {
      restore();
    }
  });

  it('does not take an ordinary record carrying the marker header for a placeholder', async function () {
    const forged = Record({
      offsetDelta: 0,
      key: Buffer.from('k'),
      value: Buffer.from('{"codec":"snappy"}'),
      headers: { [UNDECODABLE_MARKER_HEADER]: 'guessed-token' },
    });
    const batch = await RecordBatch({
      compression: 0 /* none */,
      firstOffset: Long.fromValue('0'),
      lastOffsetDelta: 0,
      records: [forged],
    });
    const [record] = await decodeInResponse(batch.buffer);
    expect(record && undecodableDetails(asIncoming(record))).to.equal(undefined);
  });

  it('dead-letters codec ids Kafka does not define instead of misreading them', async function () {
    const batch = Buffer.from(await encodeBatch(COMPRESSION_CODEC_IDS.gzip, '9', ['a']));
    // Codec bits 5 (undefined by Kafka), CRC recomputed so the header is consistent.
    batch.writeInt16BE((batch.readInt16BE(21) & ~0x07) | 5, 21);
    const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (
      b: Buffer,
    ) => number;
    batch.writeUInt32BE(crc32C(batch.subarray(21)), 17);
    const [record] = await decodeInResponse(batch);
    expect(record && undecodableDetails(asIncoming(record))).to.include({
      codec: 'codec 5',
      firstOffset: '9',
      records: 1,
    });
  });
});
