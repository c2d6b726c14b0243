/**
 * Between steps a saga is a persisted XState snapshot (JSON). XState cannot take raw JSON back,
 * so it is resolved against the definition's machine; what goes out is plain JSON again.
 */
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import { type JsonObject, type SagaStatus, SAGA_STATUSES } from '../../wire/contract/index.js';
import { SagaEngineError } from './errors.js';
import { rememberedJsonCopy } from './json-text.js';
import { STATUS_TAG_PREFIX } from './vocabulary/names.js';

/** A deep copy through JSON: what is stored is exactly what the next step will read. */
export function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The XState snapshot each persisted snapshot was made from, while both are alive. The runtime
 * applies the next step of a saga it just wrote to the record in memory; restoring that record's
 * snapshot (resolving its state value against the machine) would only rebuild this one.
 */
const liveSnapshots = new WeakMap<JsonObject, AnyMachineSnapshot>();

/** The snapshot as stored: plain JSON, with its text remembered for the store (json-text.ts). */
export function persistSnapshot(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
): JsonObject {
  const persisted = rememberedJsonCopy(machine.getPersistedSnapshot(snapshot) as JsonObject);
  liveSnapshots.set(persisted, snapshot);
  return persisted;
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
  const live = liveSnapshots.get(persisted);
  if (live?.machine === machine && persisted.context != null) {
    // The same state, with the context exactly as stored (the JSON copy): what a restore gives.
    return { ...live, context: persisted.context } as AnyMachineSnapshot;
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
  return Object.entries(value)
    .flatMap(([key, child]) => {
      if (child === undefined) return [key];
      const inner = stateString(child);
      return inner.split(',').map((path) => `${key}.${path}`);
    })
    .join(',');
}

/** A `status:<status>` tag on an active state gives the status; a final state without one is `completed`. */
export function statusOf(snapshot: AnyMachineSnapshot): SagaStatus {
  for (const status of SAGA_STATUSES) {
    if (status !== 'running' && snapshot.hasTag(`${STATUS_TAG_PREFIX}${status}`)) return status;
  }
  return snapshot.status === 'done' ? 'completed' : 'running';
}

/** The state string of a snapshot (its `value` is typed `any` on `AnyMachineSnapshot`). */
export function stateOf(snapshot: AnyMachineSnapshot): string {
  return stateString(snapshot.value as StateValue);
}
