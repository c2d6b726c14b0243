/**
 * Builds the KEYS and ARGV of `apply-step-6.lua` for a create or a commit. Pure, so the argument
 * layout (the contract with the script's header) is unit-tested without Redis.
 */
import { isEnded } from '../../wire/contract/index.js';
import type { SagaRecord } from '../engine/index.js';
import { InvalidRecordError } from './errors.js';
import {
  counterField,
  indexMember,
  timerMember,
  TIMER_MEMBER_SEPARATOR,
  type StoreKeys,
} from './keys.js';
import { encodeHistoryEntry, sealHistory } from './history-codec.js';
import type { HistoryToSeal } from './history-seal.js';
import { outboxArgs } from './outbox-codec.js';
import { recordToHash } from './record-codec.js';
import type { ScriptArg } from './scripts.js';
import type { StepWrite } from './types.js';

export interface ApplyStepSettings {
  retentionMs: number;
  historyLimit: number;
}

export interface ScriptCall {
  keys: string[];
  args: ScriptArg[];
}

/**
 * `expectedRevision` 0 creates the saga (it must not exist); otherwise it is compared. `steps` is
 * how many engine steps the write covers (a batch may carry several inputs of one saga): the
 * record must be at `expectedRevision + steps`. `seal` (a write that ends its saga) is the history
 * stored before it: the call then carries the whole history sealed, the oldest entries past
 * `historyLimit` cut (and counted as dropped).
 */
export function applyStepCall(
  keys: StoreKeys,
  settings: ApplyStepSettings,
  expectedRevision: number,
  record: SagaRecord,
  write: StepWrite = {},
  steps = 1,
  seal?: HistoryToSeal,
): ScriptCall {
  checkWrite(record, expectedRevision, write, steps);
  const shard = keys.shardOf(record.id);
  const expireAt = isEnded(record.status) ? record.updatedAt + settings.retentionMs : 0;
  const { fields, deleted } = recordToHash(record);
  // The write that resumes the saga is the one that drops its pause (record-codec.ts).
  if (write.outboxHold === 'release' && record.paused === undefined) deleted.push('paused');
  const cancels = (write.timersToCancel ?? []).map((timerId) => timerMember(record.id, timerId));
  const sets = (write.timersToSet ?? []).flatMap((timer) => [
    timer.dueAt,
    timerMember(record.id, timer.timerId),
  ]);
  const history = (write.history ?? []).map((entry) =>
    encodeHistoryEntry(entry, record.id, record.createdAt),
  );
  const outbox = (write.outbox ?? []).flatMap(outboxArgs);
  const sealArgs: ScriptArg[] = [];
  const texts = seal ? [...seal.previous, ...history] : [];
  // A saga with no history at all has nothing to seal (and no list either).
  if (seal && texts.length > 0) {
    const cut = Math.max(0, texts.length - settings.historyLimit);
    sealArgs.push(sealHistory(texts.slice(cut)), String(seal.listLength), String(cut));
  }
  return {
    keys: [
      keys.saga(record.id),
      keys.history(record.id),
      keys.outbox(shard),
      keys.timers(shard),
      keys.counters(shard),
      keys.expiry(shard),
    ],
    args: [
      String(expectedRevision),
      record.id,
      indexMember(record),
      keys.indexKeysOf(record).join('\n'),
      counterField(record.type, record.state, record.status),
      String(expireAt),
      String(settings.historyLimit),
      fields.length,
      ...fields,
      deleted.length,
      ...deleted,
      cancels.length,
      ...cancels,
      sets.length / 2,
      ...sets,
      history.length,
      ...history,
      outbox.length / 5,
      ...outbox,
      write.outboxHold === 'release' && write.heldForMs !== undefined
        ? `release:${Math.max(0, Math.round(write.heldForMs))}`
        : (write.outboxHold ?? ''),
      ...sealArgs,
    ],
  };
}

/**
 * Everything that could make the script fail half-way is checked here, before it runs: Redis
 * does not roll a script back, so a write must be refused whole rather than fail in the middle.
 */
function checkWrite(
  record: SagaRecord,
  expectedRevision: number,
  write: StepWrite,
  steps: number,
): void {
  const sagaId = record.id;
  // NUL separates a timer member's parts; a line break, the lines of the hash's `_where`.
  if (sagaId.length === 0 || sagaId.includes(TIMER_MEMBER_SEPARATOR) || /[\r\n]/u.test(sagaId)) {
    throw new InvalidRecordError('a saga id must be non-empty and free of NUL and line breaks', {
      sagaId,
    });
  }
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) {
    throw new InvalidRecordError(`expected revision ${expectedRevision} is not a revision`, {
      sagaId,
    });
  }
  // The engine's rule (1 after start, +1 per step), checked here so a bug cannot skip or repeat.
  if (!Number.isSafeInteger(steps) || steps < 1 || (expectedRevision === 0 && steps !== 1)) {
    throw new InvalidRecordError(`a write cannot cover ${steps} steps`, { sagaId });
  }
  if (record.revision !== expectedRevision + steps) {
    const covers = steps === 1 ? 'one step' : `${steps} steps`;
    throw new InvalidRecordError(
      `a write of ${covers} from revision ${expectedRevision} must store revision ` +
        `${expectedRevision + steps}, not ${record.revision}`,
      { sagaId },
    );
  }
  const instants: [string, number][] = [
    ['createdAt', record.createdAt],
    ['updatedAt', record.updatedAt],
    ...(write.timersToSet ?? []).map((timer): [string, number] => [
      `dueAt of timer ${timer.timerId}`,
      timer.dueAt,
    ]),
  ];
  for (const [name, value] of instants) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidRecordError(`${name} must be a non-negative integer (ms)`, { sagaId });
    }
  }
}
