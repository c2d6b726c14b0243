/**
 * Conversions between the ports' messages and kafkajs' records. Headers are strings in the
 * contract; Kafka allows a key to repeat, and kafkajs then hands an array: the last value wins,
 * as Java's `Headers.lastHeader` does.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { IncomingMessage, MessageHeaders, OutgoingMessage } from '../transport/index.js';

export function toKafkaMessage(message: OutgoingMessage): Message {
  const record: Message = { key: message.key, value: message.value };
  if (message.headers) record.headers = { ...message.headers };
  return record;
}

export function decodeHeaders(headers: IHeaders | undefined): MessageHeaders {
  const decoded: MessageHeaders = {};
  if (!headers) return decoded;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    decoded[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return decoded;
}

export function toIncomingMessage(
  topic: string,
  partition: number,
  message: KafkaMessage,
): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Approximate wire size of a message, for capping coalesced batches. */
export function approximateSize(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.key) + byteLength(message.value) + 32;
  if (message.headers) {
    for (const [name, value] of Object.entries(message.headers)) {
      size += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
    }
  }
  return size;
}

function byteLength(value: string | Buffer): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
