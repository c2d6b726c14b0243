/**
 * Between steps a saga is a persisted XState snapshot (JSON). XState cannot take raw JSON back,
 * so it is resolved against the definition's machine; what goes out is plain JSON again.
 *
 * A step's persisted snapshot is not a copy: it holds the live snapshot's context and value by
 * reference (XState's `assign` makes a new context and never changes the old one), and its text
 * is made once, when the store asks (json-text.ts). A saga whose last record is still in memory
 * (the runtime's recent records) continues from the live snapshot itself, with no restore.
 */
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import { type JsonObject, type SagaStatus, SAGA_STATUSES } from '../../wire/contract/index.js';
import { SagaEngineError } from './errors.js';
import { rememberedOrigin, rememberJsonText, toJson } from './json-text.js';
import { STATUS_TAG_PREFIX } from './vocabulary/names.js';

/**
 * The snapshot as stored: what XState's `getPersistedSnapshot` gives, with its text made once for
 * the store (json-text.ts). Saga statecharts start no actors, so their snapshot has no children
 * and its context no actor references: the persisted form is built directly, sharing the
 * context, instead of XState walking the whole context to look for actors.
 */
export function persistSnapshot(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
): JsonObject {
  const persisted = hasChildren(snapshot)
    ? toJson(machine.getPersistedSnapshot(snapshot) as JsonObject)
    : persistedWithoutActors(snapshot);
  // The live snapshot stays with its persisted form: the runtime applies the next step of a saga
  // it just wrote to that record in memory, and restoring it would only rebuild this snapshot.
  return rememberJsonText(persisted, snapshot);
}

function hasChildren(snapshot: AnyMachineSnapshot): boolean {
  for (const _ in snapshot.children as object) return true;
  return false;
}

/** `getPersistedSnapshot`'s fields in its order, for a snapshot with no actors. */
function persistedWithoutActors(snapshot: AnyMachineSnapshot): JsonObject {
  const persisted: JsonObject = { status: snapshot.status };
  if (snapshot.output !== undefined) persisted.output = snapshot.output;
  if (snapshot.error !== undefined) persisted.error = snapshot.error;
  persisted.value = snapshot.value;
  persisted.historyValue = historyIds(snapshot.historyValue);
  persisted.context = snapshot.context;
  persisted.children = {};
  return persisted;
}

/** XState's `serializeHistoryValue`: the ids of the remembered state nodes. */
function historyIds(historyValue: Record<string, unknown> | undefined): JsonObject {
  const ids: JsonObject = {};
  if (historyValue == null || typeof historyValue !== 'object') return ids;
  for (const key in historyValue) {
    const nodes = historyValue[key];
    if (Array.isArray(nodes)) ids[key] = nodes.map((node: { id: string }) => ({ id: node.id }));
  }
  return ids;
}

function isStateValue(value: unknown): value is StateValue {
  return typeof value === 'string' || (value != null && typeof value === 'object');
}

/** Restores a snapshot persisted by `persistSnapshot` (history states included). */
export function restoreSnapshot(
  machine: AnyStateMachine,
  persisted: JsonObject,
  sagaId: string,
): AnyMachineSnapshot {
  const live = rememberedOrigin(persisted) as AnyMachineSnapshot | undefined;
  if (live?.machine === machine) {
    // The persisted form shares the live context: the live snapshot is what a restore gives.
    if (live.context === persisted.context) return live;
    // A snapshot with actors was copied through JSON: the same state, the context as stored.
    if (persisted.context != null) {
      return { ...live, context: persisted.context } as AnyMachineSnapshot;
    }
  }
  const { value, context, historyValue } = persisted;
  if (!isStateValue(value) || context == null || typeof context !== 'object') {
    throw new SagaEngineError('SNAPSHOT_INVALID', `saga ${sagaId}: snapshot has no value/context`);
  }
  const revivedHistory: Record<string, AnyStateNode[]> = {};
  if (historyValue != null && typeof historyValue === 'object') {
    for (const [key, entries] of Object.entries(historyValue as Record<string, unknown>)) {
      if (!Array.isArray(entries)) continue;
      revivedHistory[key] = entries.flatMap((entry: unknown) => {
        const id = (entry as { id?: unknown } | null)?.id;
        return typeof id === 'string' ? [machine.getStateNodeById(id)] : [];
      });
    }
  }
  try {
    return machine.resolveState({
      value,
      context,
      historyValue: revivedHistory,
    });
  } catch (error) {
    throw new SagaEngineError(
      'SNAPSHOT_INVALID',
      `saga ${sagaId}: snapshot does not fit the definition (${(error as Error).message})`,
      sagaId,
    );
  }
}

/** `a.b` for nested states; parallel regions joined with `,` in document order. */
export function stateString(value: StateValue): string {
  if (typeof value === 'string') return value;
  const paths: string[] = [];
  appendStatePaths('', value, paths);
  return paths.join(',');
}

function appendStatePaths(prefix: string, value: StateValue, paths: string[]): void {
  if (typeof value === 'string') {
    paths.push(`${prefix}${value}`);
    return;
  }
  let empty = true;
  for (const key in value) {
    empty = false;
    const child = value[key];
    if (child === undefined) paths.push(`${prefix}${key}`);
    else appendStatePaths(`${prefix}${key}.`, child, paths);
  }
  // An empty value reads as an empty path (`a.` inside `a`), as it always has.
  if (empty && prefix !== '') paths.push(prefix);
}

const STATUS_TAGS: readonly (readonly [SagaStatus, string])[] = SAGA_STATUSES.filter(
  (status) => status !== 'running',
).map((status) => [status, `${STATUS_TAG_PREFIX}${status}`] as const);

/** A `status:<status>` tag on an active state gives the status; a final state without one is `completed`. */
export function statusOf(snapshot: AnyMachineSnapshot): SagaStatus {
  for (const [status, tag] of STATUS_TAGS) if (snapshot.hasTag(tag)) return status;
  return snapshot.status === 'done' ? 'completed' : 'running';
}

/** The state string of a snapshot (its `value` is typed `any` on `AnyMachineSnapshot`). */
export function stateOf(snapshot: AnyMachineSnapshot): string {
  return stateString(snapshot.value as StateValue);
}
