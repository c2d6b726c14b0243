/**
 * How records, summaries and outbox messages look inside Redis. A record is a hash with one
 * field per meta value and JSON for the snapshot, pending commands and timers: the hot path reads
 * it with one HMGET, and scripts read the few fields they need (`version`, `timers`) without
 * decoding the rest.
 *
 * The record's `revision` is stored in the hash field `version`, its first name: renaming the
 * field would need a migration of every running installation's stored sagas (and of the Lua
 * scripts that read it), so the hash field keeps its first name.
 */
import { SAGA_STATUSES, type JsonObject } from '../../wire/contract/index.js';
import {
  type ArmedTimer,
  type PendingCommand,
  type SagaRecord,
  type SagaStatus,
  type SagaTraceContext,
  jsonTextOf,
} from '../engine/index.js';
import type { OutgoingMessage } from '../../wire/transport/index.js';
import { CorruptRecordError } from './errors.js';
import type { OutboxEntry, SagaSummary } from './types.js';

/** The record's fields, in the order `load` asks for them. */
export const RECORD_FIELDS = [
  'id',
  'type',
  'definitionVersion',
  'version',
  'status',
  'state',
  'snapshot',
  'pending',
  'timers',
  'createdAt',
  'updatedAt',
  'idempotencyKey',
  'stateEnteredAt',
  'trace',
] as const;

export const SUMMARY_FIELDS = [
  'id',
  'type',
  'definitionVersion',
  'version',
  'status',
  'state',
  'createdAt',
  'updatedAt',
] as const;

/**
 * Fields the store keeps beside the record (the scripts use the same names): the index keys and
 * member, the counter field, the scheduled purge time, and how many history entries were dropped.
 */
export const INTERNAL_FIELDS = {
  indexes: '_indexes',
  indexMember: '_indexMember',
  counter: '_counter',
  expireAt: '_expireAt',
  historyDropped: '_historyDropped',
} as const;

/** The record as field/value pairs for HSET. */
export function recordToFields(record: SagaRecord): string[] {
  const fields = [
    'id',
    record.id,
    'type',
    record.type,
    'definitionVersion',
    record.definitionVersion,
    'version', // the record's revision; the hash field keeps its first name
    String(record.revision),
    'status',
    record.status,
    'state',
    record.state,
    'snapshot',
    jsonTextOf(record.snapshot),
    'pending',
    JSON.stringify(record.pending),
    'timers',
    JSON.stringify(record.timers),
    'createdAt',
    String(record.createdAt),
    'updatedAt',
    String(record.updatedAt),
  ];
  if (record.idempotencyKey !== undefined) fields.push('idempotencyKey', record.idempotencyKey);
  if (record.stateEnteredAt !== undefined) {
    fields.push('stateEnteredAt', String(record.stateEnteredAt));
  }
  if (record.trace !== undefined) fields.push('trace', JSON.stringify(record.trace));
  return fields;
}

/** A record from HMGET of `RECORD_FIELDS`; undefined when the saga does not exist. */
export function recordFromValues(
  sagaId: string,
  values: readonly (string | null)[],
): SagaRecord | undefined {
  const get = fieldReader(sagaId, RECORD_FIELDS, values);
  if (get.absent()) return undefined;
  const record: SagaRecord = {
    id: get.string('id'),
    type: get.string('type'),
    definitionVersion: get.string('definitionVersion'),
    revision: get.integer('version'),
    status: get.status('status'),
    state: get.string('state'),
    snapshot: get.json<JsonObject>('snapshot'),
    pending: get.json<PendingCommand[]>('pending'),
    timers: get.json<ArmedTimer[]>('timers'),
    createdAt: get.integer('createdAt'),
    updatedAt: get.integer('updatedAt'),
  };
  const idempotencyKey = get.optional('idempotencyKey');
  if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
  if (get.optional('stateEnteredAt') !== undefined) {
    record.stateEnteredAt = get.integer('stateEnteredAt');
  }
  if (get.optional('trace') !== undefined) record.trace = get.json<SagaTraceContext>('trace');
  return record;
}

/** A record from a flat `[field, value, …]` list (HGETALL inside a script). */
export function recordFromPairs(sagaId: string, pairs: readonly unknown[]): SagaRecord {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) map.set(String(pairs[i]), String(pairs[i + 1]));
  const record = recordFromValues(
    sagaId,
    RECORD_FIELDS.map((field) => map.get(field) ?? null),
  );
  if (!record) throw new CorruptRecordError('the stored saga has no fields', { sagaId });
  return record;
}

/** A summary from HMGET of `SUMMARY_FIELDS`; undefined when the saga does not exist. */
export function summaryFromValues(
  sagaId: string,
  values: readonly (string | null)[],
): SagaSummary | undefined {
  const get = fieldReader(sagaId, SUMMARY_FIELDS, values);
  if (get.absent()) return undefined;
  return {
    id: get.string('id'),
    type: get.string('type'),
    definitionVersion: get.string('definitionVersion'),
    revision: get.integer('version'),
    status: get.status('status'),
    state: get.string('state'),
    createdAt: get.integer('createdAt'),
    updatedAt: get.integer('updatedAt'),
  };
}

function fieldReader<F extends string>(
  sagaId: string,
  fields: readonly F[],
  values: readonly (string | null)[],
) {
  const raw = (field: F): string | undefined => values[fields.indexOf(field)] ?? undefined;
  const corrupt = (field: F, why: string) =>
    new CorruptRecordError(`saga field '${field}' ${why}`, { sagaId });
  const string = (field: F): string => {
    const value = raw(field);
    if (value === undefined) throw corrupt(field, 'is missing');
    return value;
  };
  return {
    absent: () => values.every((value) => value === null || value === undefined),
    string,
    optional: raw,
    integer(field: F): number {
      const value = Number(string(field));
      if (!Number.isSafeInteger(value)) throw corrupt(field, 'is not an integer');
      return value;
    },
    status(field: F): SagaStatus {
      const value = string(field);
      if (!(SAGA_STATUSES as readonly string[]).includes(value)) throw corrupt(field, 'is unknown');
      return value as SagaStatus;
    },
    json<T>(field: F): T {
      try {
        return JSON.parse(string(field)) as T;
      } catch (cause) {
        throw new CorruptRecordError(`saga field '${field}' is not JSON`, { sagaId, cause });
      }
    },
  };
}

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
  return { id, message, enqueuedAt: Number(id.split('-')[0]) };
}
