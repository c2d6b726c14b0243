/**
 * Moving one saga from the definition version it runs on to another, as the architect's
 * migration maps it (vocabulary/define-migration.ts). Pure: the runtime writes the result with
 * the store's compare-and-set on the revision, like any step.
 *
 * The rule: a saga moves only when it is at rest in a mapped state.
 * - No command in flight (`pending` empty): a reply to a command of the old version would reach
 *   a statechart that never sent it. A saga in a step's attempt stays; it can move once it waits
 *   (for a signal, a deadline, a backoff, or parked).
 * - Nothing of the new state runs on the way in: no entry action, no command, no lifecycle event.
 *   So the mapped state must not await a reply (an `awaiting:` tag): nothing would ever answer.
 * - Armed timers carry over by their delay's name, keeping their due time (the deadline is the
 *   saga's, not the version's): a timer `xstate.after.<delay>.<old state>` becomes the new state's
 *   (or an ancestor's) `after` of the same delay. A timer with no counterpart, or a counterpart
 *   with no timer to carry, refuses the move: the saga would lose or miss a deadline.
 * - The new snapshot is XState's own: `resolveState` of the new machine in the mapped state, then
 *   persisted and restored again with that machine; it must land exactly on the mapped state.
 */
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import { isEnded, type JsonObject } from '../../wire/contract/index.js';
import { migrationEntry } from './history.js';
import { persistSnapshot, restoreSnapshot, stateOf, statusOf } from './snapshot.js';
import type {
  AppliedStep,
  ArmedTimer,
  EpochMs,
  OperatorAudit,
  SagaDefinition,
  SagaRecord,
} from './types.js';
import type { SagaMigration } from './vocabulary/define-migration.js';

/** Why a saga cannot move (the dry run and the apply report it with a sentence). */
export type MigrationRefusal =
  | 'other-version'
  | 'saga-ended'
  | 'saga-paused'
  | 'command-in-flight'
  | 'state-not-mapped'
  | 'awaits-reply'
  | 'timers-differ'
  | 'snapshot-invalid';

export type MigrationResult =
  | { outcome: 'migrated'; step: AppliedStep }
  | { outcome: 'refused'; reason: MigrationRefusal; detail: string };

const refuse = (reason: MigrationRefusal, detail: string): MigrationResult => ({
  outcome: 'refused',
  reason,
  detail,
});

const AFTER_PREFIX = 'xstate.after.';

/** `a.b.c` → `{ a: { b: 'c' } }` (one leaf: a parallel state is not a migration target). */
function stateValueOf(path: string): StateValue {
  const segments = path.split('.');
  let value: StateValue = segments[segments.length - 1] ?? path;
  for (let i = segments.length - 2; i >= 0; i--) value = { [segments[i] ?? '']: value };
  return value;
}

/** The state nodes from the root down to `target` (a path the snapshot resolved to). */
function nodesOnPath(machine: AnyStateMachine, target: string): AnyStateNode[] {
  const nodes: AnyStateNode[] = [machine.root];
  let node: AnyStateNode | undefined = machine.root;
  for (const segment of target.split('.')) {
    node = node?.states[segment];
    if (node) nodes.push(node);
  }
  return nodes;
}

/** The `after` delays of `target` and its ancestors, with the event type XState gives each. */
function delaysOf(
  machine: AnyStateMachine,
  target: string,
): { delay: string; eventType: string }[] {
  const found: { delay: string; eventType: string }[] = [];
  for (const node of nodesOnPath(machine, target).reverse()) {
    for (const transition of node.after) {
      const eventType = String(transition.eventType);
      const suffix = `.${node.id}`;
      if (!eventType.startsWith(AFTER_PREFIX) || !eventType.endsWith(suffix)) continue;
      const delay = eventType.slice(AFTER_PREFIX.length, -suffix.length);
      if (!found.some((d) => d.eventType === eventType)) found.push({ delay, eventType });
    }
  }
  return found;
}

/** The old timers as the new state's, or why they do not fit. */
function carryTimers(
  timers: readonly ArmedTimer[],
  machine: AnyStateMachine,
  target: string,
): ArmedTimer[] | string {
  const left = [...timers];
  const carried: ArmedTimer[] = [];
  for (const { delay, eventType } of delaysOf(machine, target)) {
    const index = left.findIndex((t) => t.timerId.startsWith(`${AFTER_PREFIX}${delay}.`));
    const timer = left[index];
    if (!timer) {
      return `${target} arms "${delay}" on entry and the saga has no such timer to carry over`;
    }
    left.splice(index, 1);
    carried.push({
      timerId: eventType,
      dueAt: timer.dueAt,
      event: { ...timer.event, type: eventType },
    });
  }
  const [stray] = left;
  if (stray) return `timer ${stray.timerId} has no counterpart in ${target}`;
  return carried;
}

/** The machine's snapshot in `target` with `context`, checked by a persist-and-restore round. */
function resolveTarget(
  machine: AnyStateMachine,
  target: string,
  context: JsonObject,
  sagaId: string,
): AnyMachineSnapshot | string {
  let snapshot: AnyMachineSnapshot;
  try {
    snapshot = machine.resolveState({ value: stateValueOf(target), context });
  } catch (error) {
    return `${target} is not a state of the new version (${(error as Error).message})`;
  }
  // A compound state resolves to its initial child without running what entering it runs.
  if (stateOf(snapshot) !== target) {
    return `${target} is not a leaf state (it resolves to ${stateOf(snapshot)})`;
  }
  try {
    // Through JSON, as the store keeps it: the restore must not take the live snapshot's shortcut.
    const stored = JSON.parse(JSON.stringify(persistSnapshot(machine, snapshot))) as JsonObject;
    const restored = restoreSnapshot(machine, stored, sagaId);
    if (stateOf(restored) !== target) return `${target} does not restore as itself`;
    return restored;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * `record` (on `migration.from`) moved onto `definition` (`migration.to`), or why it cannot move.
 * The history line says who, why, and from which version and state to which.
 */
export function migrateSaga(
  definition: SagaDefinition,
  migration: SagaMigration,
  record: SagaRecord,
  audit: OperatorAudit,
  now: EpochMs,
): MigrationResult {
  if (record.type !== migration.type || record.definitionVersion !== migration.from) {
    return refuse(
      'other-version',
      `the saga is a ${record.type} on version ${record.definitionVersion}, not ${migration.type} ${migration.from}`,
    );
  }
  if (isEnded(record.status)) return refuse('saga-ended', `the saga is ${record.status}`);
  if (record.paused) return refuse('saga-paused', `the saga is paused by ${record.paused.actor}`);
  const [inFlight] = record.pending;
  if (inFlight) {
    return refuse(
      'command-in-flight',
      `a command is in flight (${inFlight.step}: ${inFlight.command}); it can move once it waits`,
    );
  }
  const target = migration.states[record.state];
  if (target === undefined) {
    return refuse(
      'state-not-mapped',
      `state ${record.state} has no mapping to version ${migration.to}`,
    );
  }
  const stored = record.snapshot.context;
  if (stored == null || typeof stored !== 'object' || Array.isArray(stored)) {
    return refuse('snapshot-invalid', 'the stored snapshot has no context');
  }
  let context: JsonObject;
  try {
    // A copy: the migration's function must not change the stored record's context.
    context = migration.context
      ? migration.context(structuredClone(stored) as JsonObject)
      : (stored as JsonObject);
  } catch (error) {
    return refuse(
      'snapshot-invalid',
      `the migration's context function threw: ${(error as Error).message}`,
    );
  }
  const snapshot = resolveTarget(definition.machine, target, context, record.id);
  if (typeof snapshot === 'string') return refuse('snapshot-invalid', snapshot);
  const awaiting = [...snapshot.tags].find((tag) => tag.startsWith('awaiting:'));
  if (awaiting) {
    return refuse(
      'awaits-reply',
      `${target} waits for a reply (${awaiting}) to a command it never sent`,
    );
  }
  const timers = carryTimers(record.timers, definition.machine, target);
  if (typeof timers === 'string') return refuse('timers-differ', timers);
  const migrated: SagaRecord = {
    ...record,
    definitionVersion: migration.to,
    revision: record.revision + 1,
    status: statusOf(snapshot),
    state: target,
    snapshot: persistSnapshot(definition.machine, snapshot),
    timers,
    updatedAt: now,
  };
  return {
    outcome: 'migrated',
    step: {
      outcome: 'applied',
      record: migrated,
      effects: [],
      history: [
        migrationEntry(now, audit, { migration, fromState: record.state, toState: target }),
      ],
    },
  };
}
