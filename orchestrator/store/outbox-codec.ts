/**
 * Outbox entries in Redis: an outgoing message as the fields of its stream entry, and back.
 */
import type { OutgoingMessage } from '../../wire/transport/index.js';
import type { OutboxEntry } from './types.js';

/**
 * An outgoing message as the five script arguments the outbox stream stores: topic, key, value,
 * headers (JSON, or empty) and the value's encoding (empty for text, `base64` for a Buffer, so
 * binary values survive the round trip).
 */
export function outboxArgs(message: OutgoingMessage): [string, string, string, string, string] {
  const binary = Buffer.isBuffer(message.value);
  return [
    message.topic,
    message.key,
    binary ? (message.value as Buffer).toString('base64') : (message.value as string),
    message.headers ? JSON.stringify(message.headers) : '',
    binary ? 'base64' : '',
  ];
}

/** A stream entry (`[id, [field, value, …]]`) back into an outbox entry. */
export function outboxEntryFromStream(id: string, fields: readonly string[]): OutboxEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  const value = map.get('v') ?? '';
  const headers = map.get('h');
  const message: OutgoingMessage = {
    topic: map.get('t') ?? '',
    key: map.get('k') ?? '',
    value: map.get('e') === 'base64' ? Buffer.from(value, 'base64') : value,
  };
  if (headers) message.headers = JSON.parse(headers) as Record<string, string>;
  const entry: OutboxEntry = { id, message, enqueuedAt: Number(id.split('-')[0]) };
  const heldFor = map.get('p');
  if (heldFor !== undefined) entry.heldForMs = Number(heldFor);
  return entry;
}
