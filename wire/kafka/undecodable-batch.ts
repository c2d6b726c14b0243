/**
 * What becomes of a record batch that cannot be decompressed. kafkajs decompresses inside its
 * fetch: a codec that throws there fails the whole fetch, the consumer crashes, restarts at the
 * same offset and crashes again, for ever, and every partition of the member stalls with it.
 *
 * So each registered codec's `decompress` is wrapped (see compression.ts): on failure it returns,
 * instead of the records, one placeholder record per record of the batch, which kafkajs decodes
 * as usual. The placeholders carry the batch's real offsets where they can be known (the first
 * and the last, so the consumer moves past the batch) and a marker header with this process's
 * secret token, so a producer cannot make an ordinary record pass for one. The subscriber then
 * dead-letters them instead of handing them to its handler ({@link undecodableDetails}).
 *
 * The batch header is read from the bytes just before the compressed records: kafkajs hands the
 * codec a slice of the fetch response, which shares its memory. The header is trusted only when
 * the batch's length, magic byte, codec bits and CRC-32C all agree with the slice; otherwise the
 * codec's error is rethrown and kafkajs behaves as before.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage } from '../transport/index.js';

const require = createRequire(import.meta.url);
// kafkajs' own CRC-32C (the record batch checksum); kafkajs is pinned, and this module already
// depends on the layout of its record batch v0 decoder.
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (
  buffer: Buffer,
) => number;

/** Header marking a placeholder record; its value is this process's {@link MARKER_TOKEN}. */
export const UNDECODABLE_MARKER_HEADER = 'saga-transport-undecodable';
const MARKER_TOKEN = randomUUID();

/**
 * Record batch v2 header before the records, in bytes, counted back from the compressed records:
 * FirstOffset int64, Length int32, PartitionLeaderEpoch int32, Magic int8, CRC int32,
 * Attributes int16, LastOffsetDelta int32, FirstTimestamp int64, MaxTimestamp int64,
 * ProducerId int64, ProducerEpoch int16, FirstSequence int32, RecordCount int32.
 */
const HEADER_BYTES = 61;
/** Bytes counted by the batch's Length field besides the compressed records. */
const LENGTH_OVERHEAD = 49;
/** Offset of the Attributes field: where the CRC starts to count. */
const ATTRIBUTES_AT = 21;
const RECORD_BATCH_MAGIC = 2;
const CODEC_MASK = 0x07;

/** What the placeholders of one undecodable batch say about it. */
export interface UndecodableBatch {
  /** The codec's name (`snappy`, `codec 5`, …). */
  codec: string;
  /** The codec's error message. */
  error: string;
  firstOffset: string;
  lastOffset: string;
  records: number;
}

interface BatchHeader {
  firstOffset: bigint;
  lastOffsetDelta: number;
  recordCount: number;
}

/**
 * The header of the record batch whose compressed records are `compressed`, when the bytes in
 * front of the slice are provably that batch's header; undefined otherwise.
 */
export function readBatchHeader(compressed: Buffer, codecId: number): BatchHeader | undefined {
  if (compressed.byteOffset < HEADER_BYTES) return undefined;
  const start = compressed.byteOffset - HEADER_BYTES;
  const end = compressed.byteOffset + compressed.length;
  if (end > compressed.buffer.byteLength) return undefined;
  const batch = Buffer.from(compressed.buffer, start, end - start);
  const length = batch.readInt32BE(8);
  const magic = batch.readInt8(16);
  const crc = batch.readUInt32BE(17);
  const attributes = batch.readInt16BE(ATTRIBUTES_AT);
  const lastOffsetDelta = batch.readInt32BE(23);
  const recordCount = batch.readInt32BE(57);
  const agrees =
    length === LENGTH_OVERHEAD + compressed.length &&
    magic === RECORD_BATCH_MAGIC &&
    (attributes & CODEC_MASK) === codecId &&
    recordCount >= 1 &&
    lastOffsetDelta >= recordCount - 1 &&
    crc32C(batch.subarray(ATTRIBUTES_AT)) === crc;
  if (!agrees) return undefined;
  return { firstOffset: batch.readBigInt64BE(0), lastOffsetDelta, recordCount };
}

/**
 * The decompressed form of a batch that could not be decompressed: `recordCount` records, the
 * last at the batch's last offset delta (so the consumer's position moves past the batch), each
 * with the marker header and the batch's details as its value.
 */
export function placeholderRecords(
  header: BatchHeader,
  details: Pick<UndecodableBatch, 'codec' | 'error'>,
): Buffer {
  const value = Buffer.from(
    JSON.stringify({
      ...details,
      firstOffset: header.firstOffset.toString(),
      lastOffset: (header.firstOffset + BigInt(header.lastOffsetDelta)).toString(),
      records: header.recordCount,
    } satisfies UndecodableBatch),
  );
  const records: Buffer[] = [];
  for (let index = 0; index < header.recordCount; index += 1) {
    const offsetDelta = index === header.recordCount - 1 ? header.lastOffsetDelta : index;
    records.push(encodeRecord(offsetDelta, value));
  }
  return Buffer.concat(records);
}

/** The batch a placeholder stands for, or undefined for an ordinary record. */
export function undecodableDetails(message: IncomingMessage): UndecodableBatch | undefined {
  if (message.headers[UNDECODABLE_MARKER_HEADER] !== MARKER_TOKEN || !message.value) {
    return undefined;
  }
  return JSON.parse(message.value.toString('utf8')) as UndecodableBatch;
}

/**
 * One record, v2 format: Length varint, Attributes int8, TimestampDelta varlong, OffsetDelta
 * varint, Key varint bytes (null), Value varint bytes, Headers varint count then key and value.
 */
function encodeRecord(offsetDelta: number, value: Buffer): Buffer {
  const headerKey = Buffer.from(UNDECODABLE_MARKER_HEADER);
  const headerValue = Buffer.from(MARKER_TOKEN);
  const body = Buffer.concat([
    Buffer.from([0]), // attributes
    varint(0), // timestamp delta: the batch's first timestamp
    varint(offsetDelta),
    varint(-1), // null key
    varint(value.length),
    value,
    varint(1), // one header
    varint(headerKey.length),
    headerKey,
    varint(headerValue.length),
    headerValue,
  ]);
  return Buffer.concat([varint(body.length), body]);
}

/** A zig-zag varint, as Kafka's record format (and protobuf's sint32) writes it. */
function varint(value: number): Buffer {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  const bytes: number[] = [];
  while (zigzag > 0x7f) {
    bytes.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  bytes.push(zigzag);
  return Buffer.from(bytes);
}
