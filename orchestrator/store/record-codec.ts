/**
 * How records, summaries and outbox messages look inside Redis.
 *
 * A record is a hash. Its second encoding (written since issue 13) keeps it to a few fields,
 * because each field of a hash past Redis's `hash-max-listpack-value` (64 B: the snapshot always
 * is) costs ~60 B of overhead beside its bytes:
 *
 * | field      | holds                                                                    |
 * | ---------- | ------------------------------------------------------------------------ |
 * | `version`  | the revision (scripts compare it; the hash field keeps its first name)   |
 * | `m`        | the meta values as one JSON array, its first item the codec version (2)  |
 * | `snapshot` | the engine's snapshot text, as given (`jsonTextOf`), while running       |
 * | `snapshotZ`| once ended: that text deflated (raw), in base64 — ~40 % of its bytes     |
 * | `pending`  | pending commands (JSON; `commandId` left out when it is the engine's     |
 * |            | `<sagaId>.<step>.<attempt>`); absent when there are none                 |
 * | `timers`   | armed timers (JSON; `event` left out when it is `{ type: timerId }`, as  |
 * |            | XState's `after` events are); absent when none. Scripts read `timerId`s  |
 * | `trace`    | the trace context (JSON), when there is one                              |
 * | `paused`   | while an operator has the saga paused: the pause and its held replies    |
 * |            | (JSON); deleted by the write that resumes it                             |
 *
 * The first encoding had one field per meta value (`id`, `type`, … `stateEnteredAt`); records
 * written with it still load (`m` is absent there), and the step script deletes its fields when
 * it rewrites such a record in the second encoding.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SAGA_STATUSES, isEnded, type JsonObject } from '../../wire/contract/index.js';
import {
  type ArmedTimer,
  type PendingCommand,
  type SagaRecord,
  type SagaStatus,
  type SagaPause,
  type SagaTraceContext,
  jsonTextOf,
} from '../engine/index.js';
import { CorruptRecordError } from './errors.js';
import type { SagaSummary } from './types.js';

/** The codec version written in the first item of `m`. */
export const RECORD_CODEC_VERSION = 2;

/** The meta fields of the first encoding (read still; deleted by apply-step on rewrite). */
const V1_META_FIELDS = [
  'id',
  'type',
  'definitionVersion',
  'status',
  'state',
  'createdAt',
  'updatedAt',
  'idempotencyKey',
  'stateEnteredAt',
] as const;

/** The record's fields, in the order `load` asks for them: both encodings' names. */
export const RECORD_FIELDS = [
  'version',
  'm',
  'snapshot',
  'snapshotZ',
  'pending',
  'timers',
  'trace',
  ...V1_META_FIELDS,
  'paused',
] as const;

/** What a summary needs, in either encoding (`trace` for its trace id). */
export const SUMMARY_FIELDS = ['version', 'm', 'trace', ...V1_META_FIELDS, 'paused'] as const;

/** W3C `traceparent`: version, 32 hex trace id (not all zeros), span id, flags. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}/;

/** The trace id of a saga's stored trace context; undefined without one (tracing off). */
export function traceIdOf(trace: { traceparent?: unknown } | undefined): string | undefined {
  const traceparent = trace?.traceparent;
  const traceId = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
  return traceId === undefined || /^0+$/.test(traceId) ? undefined : traceId;
}

/**
 * Fields the store keeps beside the record (the scripts use the same names): where the saga is
 * found (its counter field, index member and index keys, one per line; records written before
 * issue 13 have them in `_counter`, `_indexMember` and `_indexes`; older records also kept
 * their purge time in `_expireAt`, which their next step deletes), how many history entries were dropped, the history once sealed (`history-codec.ts`), and a paused saga's held outbox messages.
 */
export const INTERNAL_FIELDS = {
  where: '_where',
  historyDropped: '_historyDropped',
  sealedHistory: 'historyZ',
  /** A paused saga's outbox messages, held until it is resumed (apply-step-6.lua). */
  heldOutbox: '_held',
} as const;

/** The positions of the meta values inside `m` (after the codec version at 0). */
type Meta = [
  codec: number,
  type: string,
  definitionVersion: string,
  status: string,
  state: string,
  createdAt: number,
  updatedAt: number,
  stateEnteredAt: number | null,
  idempotencyKey: string | null,
];

/**
 * The record as HSET's field/value pairs, and the record's fields HSET does not set and the
 * step must delete (empty `pending` / `timers`, an absent `trace`), so none is left stale.
 */
export function recordToHash(record: SagaRecord): { fields: string[]; deleted: string[] } {
  const meta: Meta = [
    RECORD_CODEC_VERSION,
    record.type,
    record.definitionVersion,
    record.status,
    record.state,
    record.createdAt,
    record.updatedAt,
    record.stateEnteredAt ?? null,
    record.idempotencyKey ?? null,
  ];
  const fields = [
    'version', // the record's revision; the hash field keeps its first name
    String(record.revision),
    'm',
    JSON.stringify(meta),
  ];
  const deleted: string[] = [];
  // An ended saga's snapshot is only read again (by the API, a late input): it is kept until
  // retention deflated, which costs ~85 µs once per saga and saves ~1.2 KB of an order saga.
  if (isEnded(record.status)) {
    fields.push('snapshotZ', deflateRawSync(jsonTextOf(record.snapshot)).toString('base64'));
    deleted.push('snapshot');
  } else {
    fields.push('snapshot', jsonTextOf(record.snapshot));
    deleted.push('snapshotZ');
  }
  if (record.pending.length > 0) {
    fields.push(
      'pending',
      JSON.stringify(record.pending.map((command) => compactCommand(command, record.id))),
    );
  } else deleted.push('pending');
  if (record.timers.length > 0)
    fields.push('timers', JSON.stringify(record.timers.map(compactTimer)));
  else deleted.push('timers');
  if (record.trace !== undefined) fields.push('trace', JSON.stringify(record.trace));
  else deleted.push('trace');
  // Not deleted by every write (an HDEL of one more field per step for a rare action): the write
  // that resumes the saga deletes it (apply-step-call.ts).
  if (record.paused !== undefined) fields.push('paused', JSON.stringify(record.paused));
  return { fields, deleted };
}

/** The record as field/value pairs for HSET (see {@link recordToHash} for what it deletes). */
export function recordToFields(record: SagaRecord): string[] {
  return recordToHash(record).fields;
}

type StoredCommand = Omit<PendingCommand, 'commandId'> & { commandId?: string };

/** The engine names a command `<sagaId>.<step>.<attempt>`: that id is implied, not stored. */
function compactCommand(command: PendingCommand, sagaId: string): StoredCommand {
  if (command.commandId !== `${sagaId}.${command.step}.${command.attempt}`) return command;
  const { commandId: _implied, ...rest } = command;
  return rest;
}

function expandCommand(command: StoredCommand, sagaId: string): PendingCommand {
  if (command.commandId !== undefined) return command as PendingCommand;
  return { commandId: `${sagaId}.${command.step}.${command.attempt}`, ...command };
}

/** XState's `after` timers fire `{ type: timerId }`: that event is implied, not stored. */
function compactTimer(timer: ArmedTimer): {
  timerId: string;
  dueAt: number;
  event?: ArmedTimer['event'];
} {
  const implied = timer.event.type === timer.timerId && Object.keys(timer.event).length === 1;
  return implied ? { timerId: timer.timerId, dueAt: timer.dueAt } : timer;
}

function expandTimer(timer: {
  timerId: string;
  dueAt: number;
  event?: ArmedTimer['event'];
}): ArmedTimer {
  return {
    timerId: timer.timerId,
    dueAt: timer.dueAt,
    event: timer.event ?? { type: timer.timerId },
  };
}

/** A record from HMGET of `RECORD_FIELDS`; undefined when the saga does not exist. */
export function recordFromValues(
  sagaId: string,
  values: readonly (string | null)[],
): SagaRecord | undefined {
  const get = fieldReader(sagaId, RECORD_FIELDS, values);
  if (get.absent()) return undefined;
  const summary = summaryOf(sagaId, get);
  const record: SagaRecord = {
    id: summary.id,
    type: summary.type,
    definitionVersion: summary.definitionVersion,
    revision: summary.revision,
    status: summary.status,
    state: summary.state,
    snapshot: snapshotOf(get),
    pending:
      get.optional('pending') === undefined
        ? []
        : get.json<StoredCommand[]>('pending').map((command) => expandCommand(command, sagaId)),
    timers:
      get.optional('timers') === undefined
        ? []
        : get.json<Parameters<typeof expandTimer>[0][]>('timers').map(expandTimer),
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
  };
  if (summary.idempotencyKey !== undefined) record.idempotencyKey = summary.idempotencyKey;
  if (summary.stateEnteredAt !== undefined) record.stateEnteredAt = summary.stateEnteredAt;
  if (get.optional('trace') !== undefined) record.trace = get.json<SagaTraceContext>('trace');
  if (get.optional('paused') !== undefined) record.paused = get.json<SagaPause>('paused');
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
  const { idempotencyKey: _key, stateEnteredAt: _entered, ...summary } = summaryOf(sagaId, get);
  if (get.optional('paused') !== undefined) {
    const { at, actor, reason } = get.json<SagaPause>('paused');
    summary.paused = { at, actor, ...(reason !== undefined ? { reason } : {}) };
  }
  const trace = get.optional('trace');
  const traceId = trace === undefined ? undefined : traceIdOf(get.json<SagaTraceContext>('trace'));
  return traceId === undefined ? summary : { ...summary, traceId };
}

/** The snapshot, from `snapshot` or, for an ended saga, inflated from `snapshotZ`. */
function snapshotOf(get: FieldReader<(typeof RECORD_FIELDS)[number]>): JsonObject {
  const deflated = get.optional('snapshotZ');
  if (deflated === undefined || get.optional('snapshot') !== undefined) {
    return get.json<JsonObject>('snapshot');
  }
  let text: string;
  try {
    text = inflateRawSync(Buffer.from(deflated, 'base64')).toString('utf8');
  } catch (cause) {
    throw get.corrupt('snapshotZ', `does not inflate (${String(cause)})`);
  }
  return get.parse<JsonObject>('snapshotZ', text);
}

/**
 * The saga's creation time from its `m` field (second encoding) or `createdAt` field (first); 0
 * when the saga is gone (its history went with it).
 */
export function createdAtOf(
  sagaId: string,
  meta: string | null,
  firstEncodingCreatedAt: string | null,
): number {
  if (meta === null) return Number(firstEncodingCreatedAt ?? 0);
  const values = fieldReader(sagaId, ['m'], [meta]).json<unknown[]>('m');
  return Number(Array.isArray(values) ? values[5] : 0);
}

type FieldReader<F extends string> = ReturnType<typeof fieldReader<F>>;

/** The meta values, from `m` (second encoding) or from one field each (first encoding). */
function summaryOf<F extends string>(
  sagaId: string,
  get: FieldReader<F | 'version' | 'm' | (typeof V1_META_FIELDS)[number]>,
): SagaSummary & { idempotencyKey?: string; stateEnteredAt?: number } {
  const revision = get.integer('version');
  if (get.optional('m') === undefined) {
    const summary: SagaSummary & { idempotencyKey?: string; stateEnteredAt?: number } = {
      id: get.string('id'),
      type: get.string('type'),
      definitionVersion: get.string('definitionVersion'),
      revision,
      status: get.status(get.string('status')),
      state: get.string('state'),
      createdAt: get.integer('createdAt'),
      updatedAt: get.integer('updatedAt'),
    };
    const idempotencyKey = get.optional('idempotencyKey');
    if (idempotencyKey !== undefined) summary.idempotencyKey = idempotencyKey;
    if (get.optional('stateEnteredAt') !== undefined) {
      summary.stateEnteredAt = get.integer('stateEnteredAt');
    }
    return summary;
  }
  const meta = get.json<unknown[]>('m');
  if (!Array.isArray(meta) || meta[0] !== RECORD_CODEC_VERSION) {
    throw new CorruptRecordError(`saga field 'm' is not of codec ${RECORD_CODEC_VERSION}`, {
      sagaId,
    });
  }
  const [, type, definitionVersion, status, state, createdAt, updatedAt, entered, key] =
    meta as Meta;
  const text = (value: unknown, name: string): string => {
    if (typeof value !== 'string') throw get.corrupt('m', `has no ${name}`);
    return value;
  };
  const instant = (value: unknown, name: string): number => {
    if (!Number.isSafeInteger(value)) throw get.corrupt('m', `has no ${name}`);
    return value as number;
  };
  const summary: SagaSummary & { idempotencyKey?: string; stateEnteredAt?: number } = {
    id: sagaId,
    type: text(type, 'type'),
    definitionVersion: text(definitionVersion, 'definitionVersion'),
    revision,
    status: get.status(text(status, 'status')),
    state: text(state, 'state'),
    createdAt: instant(createdAt, 'createdAt'),
    updatedAt: instant(updatedAt, 'updatedAt'),
  };
  if (key !== null && key !== undefined) summary.idempotencyKey = text(key, 'idempotencyKey');
  if (entered !== null && entered !== undefined) {
    summary.stateEnteredAt = instant(entered, 'stateEnteredAt');
  }
  return summary;
}

function fieldReader<F extends string>(
  sagaId: string,
  fields: readonly F[],
  values: readonly (string | null)[],
) {
  const raw = (field: F): string | undefined => values[fields.indexOf(field)] ?? undefined;
  const corrupt = (field: F, why: string) =>
    new CorruptRecordError(`saga field '${field}' ${why}`, { sagaId });
  const parse = <T>(field: F, text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new CorruptRecordError(`saga field '${field}' is not JSON`, { sagaId, cause });
    }
  };
  const string = (field: F): string => {
    const value = raw(field);
    if (value === undefined) throw corrupt(field, 'is missing');
    return value;
  };
  return {
    absent: () => values.every((value) => value === null || value === undefined),
    string,
    optional: raw,
    corrupt,
    integer(field: F): number {
      const value = Number(string(field));
      if (!Number.isSafeInteger(value)) throw corrupt(field, 'is not an integer');
      return value;
    },
    status(value: string): SagaStatus {
      if (!(SAGA_STATUSES as readonly string[]).includes(value)) {
        throw new CorruptRecordError(`saga status '${value}' is unknown`, { sagaId });
      }
      return value as SagaStatus;
    },
    json: <T>(field: F): T => parse<T>(field, string(field)),
    parse,
  };
}
