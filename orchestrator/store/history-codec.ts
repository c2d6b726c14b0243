/**
 * How a history entry looks inside the saga's history list. The engine's entries repeat a lot: the
 * same keys in every entry, the saga id inside every command id, an absolute time, and a summary
 * line made of the entry's own step, states, command and participant. The compact form (one JSON
 * array per entry, written since issue 13) leaves all of that out:
 *
 * `[kind, at − createdAt, summary, step, commandId, from, to, data]`, trailing absent items cut,
 * an absent one in the middle `null`.
 *
 * - `kind` is its index in {@link KINDS}, or the kind's name when it is not one of them.
 * - `commandId` is the number `n` when it is `<sagaId>.<step>.<n>` (the engine's ids), else it is
 *   stored without the saga id when it starts with `<sagaId>.` (then it starts with `.`); one that
 *   starts with `.` or `=` otherwise gets a `=` in front.
 * - `data` has its usual keys (`participant`, `command`, `kind`, `outcome`, `attempt`) as one
 *   letter; data that already has such a one-letter key is stored as it is, inside a one-item array.
 * - `summary` has `^0`…`^4` where it held the entry's step, from, to, `data.command` or
 *   `data.participant`; when that would not decode to the same text (the summary holds a `^`, say)
 *   it is stored as it is, inside a one-item array.
 *
 * Entries of the first form (a JSON object, starting with `{`) are still read.
 *
 * Once a saga has ended, its whole history is kept sealed: the stored texts of its entries joined
 * by line breaks (JSON never holds a raw one), deflated, as raw bytes in the record's `historyZ`
 * field instead of a list of its own (see {@link sealHistory}).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { JsonObject } from '../../wire/contract/index.js';
import type { HistoryEntry } from '../engine/index.js';

/**
 * Stored kind numbers: an entry's index here is what Redis keeps, so this list only ever grows at
 * its end. It is not the engine's HISTORY_ENTRY_KINDS, whose order is free to change; a kind
 * missing here (`operator`) is stored by name.
 */
const KINDS: readonly HistoryEntry['kind'][] = [
  'started',
  'command',
  'reply',
  'timer',
  'signal',
  'transition',
  'ignored',
];

type Compact = [
  kind: number | string,
  at: number,
  summary: string | [string],
  step?: string | null,
  commandId?: string | number | null,
  from?: string | null,
  to?: string | null,
  data?: JsonObject | [JsonObject] | null,
];

/** The keys history data usually has, and the letter each is stored as. */
const DATA_KEYS: Readonly<Record<string, string>> = {
  participant: 'p',
  command: 'c',
  kind: 'k',
  outcome: 'o',
  attempt: 'a',
};
const DATA_LETTERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(DATA_KEYS).map(([key, letter]) => [letter, key]),
);

function compactData(data: JsonObject): JsonObject | [JsonObject] {
  if (Object.keys(data).some((key) => key in DATA_LETTERS)) return [data];
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [DATA_KEYS[key] ?? key, value]),
  );
}

function fullData(stored: JsonObject | [JsonObject]): JsonObject {
  if (Array.isArray(stored)) return stored[0];
  return Object.fromEntries(
    Object.entries(stored).map(([key, value]) => [DATA_LETTERS[key] ?? key, value]),
  );
}

/** The values a summary may refer to, in placeholder order (`^0` … `^4`). */
function summaryValues(entry: Pick<HistoryEntry, 'step' | 'from' | 'to' | 'data'>): string[] {
  const data = entry.data ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return [
    entry.step ?? '',
    entry.from ?? '',
    entry.to ?? '',
    text(data.command),
    text(data.participant),
  ];
}

function fillSummary(template: string, values: readonly string[]): string {
  return template.replace(/\^([0-4])/gu, (_, index: string) => values[Number(index)] ?? '');
}

function templateOf(summary: string, values: readonly string[]): string | [string] {
  // Longest first, so a value inside another (a step inside a state path) is not cut out of it.
  const order = values
    .map((value, index) => ({ value, index }))
    .filter(({ value }) => value.length >= 3)
    .sort((a, b) => b.value.length - a.value.length);
  let template = summary;
  for (const { value, index } of order) template = template.split(value).join(`^${index}`);
  return fillSummary(template, values) === summary ? template : [summary];
}

function compactCommandId(
  commandId: string,
  sagaId: string,
  step: string | undefined,
): string | number {
  if (step !== undefined) {
    const start = `${sagaId}.${step}.`;
    const n = commandId.slice(start.length);
    if (commandId.startsWith(start) && /^[1-9]\d{0,14}$/u.test(n)) return Number(n);
  }
  if (commandId.startsWith(`${sagaId}.`)) return commandId.slice(sagaId.length);
  return commandId.startsWith('.') || commandId.startsWith('=') ? `=${commandId}` : commandId;
}

function fullCommandId(stored: string | number, sagaId: string, step: string | undefined): string {
  if (typeof stored === 'number') return `${sagaId}.${step ?? ''}.${stored}`;
  if (stored.startsWith('.')) return sagaId + stored;
  return stored.startsWith('=') ? stored.slice(1) : stored;
}

/** The stored text of one entry of saga `sagaId`, created at `createdAt`. */
export function encodeHistoryEntry(entry: HistoryEntry, sagaId: string, createdAt: number): string {
  const kind = KINDS.indexOf(entry.kind);
  const compact: Compact = [
    kind >= 0 ? kind : entry.kind,
    entry.at - createdAt,
    templateOf(entry.summary, summaryValues(entry)),
    entry.step ?? null,
    entry.commandId === undefined ? null : compactCommandId(entry.commandId, sagaId, entry.step),
    entry.from ?? null,
    entry.to ?? null,
    entry.data === undefined ? null : compactData(entry.data),
  ];
  while (compact.length > 3 && compact[compact.length - 1] === null) compact.pop();
  return JSON.stringify(compact);
}

/** One stored entry back (either form). */
export function decodeHistoryEntry(text: string, sagaId: string, createdAt: number): HistoryEntry {
  if (!text.startsWith('[')) return JSON.parse(text) as HistoryEntry;
  const [kind, at, summary, step, commandId, from, to, data] = JSON.parse(text) as Compact;
  const entry: HistoryEntry = {
    at: createdAt + at,
    kind: typeof kind === 'number' ? (KINDS[kind] ?? 'ignored') : (kind as HistoryEntry['kind']),
    summary: '',
  };
  if (typeof step === 'string') entry.step = step;
  if (typeof commandId === 'string' || typeof commandId === 'number') {
    entry.commandId = fullCommandId(commandId, sagaId, entry.step);
  }
  if (typeof from === 'string') entry.from = from;
  if (typeof to === 'string') entry.to = to;
  if (data != null) entry.data = fullData(data);
  entry.summary = Array.isArray(summary) ? summary[0] : fillSummary(summary, summaryValues(entry));
  return entry;
}

/**
 * The stored texts of a saga's entries (oldest first) as one sealed value: joined by line
 * breaks, deflated (raw bytes: base64 would add a third). An order saga's ten entries (~850 B as
 * a list of ~1.5 KB of Redis) seal into ~350 B for ~40 µs once per saga.
 */
export function sealHistory(texts: readonly string[]): Buffer {
  return deflateRawSync(texts.join('\n'));
}

/** The stored texts of a sealed history, oldest first; throws when it does not inflate. */
export function unsealHistory(sealed: Buffer): string[] {
  if (sealed.length === 0) return [];
  const text = inflateRawSync(sealed).toString('utf8');
  return text === '' ? [] : text.split('\n');
}
