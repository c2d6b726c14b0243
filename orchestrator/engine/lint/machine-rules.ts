/**
 * Rules about the statechart as a whole: every state reachable, every timer named, every action,
 * guard and delay referred to by name implemented, no state where a saga can wait forever.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { hasSagaDeadline } from '../vocabulary/deadline.js';
import { SAGA_STATE_IDS, statusTag } from '../vocabulary/names.js';
import type { DefinitionFinding } from './findings.js';
import { allStateNodes, isWithin, reachableStateNodes, transitionsOf } from './statechart-walk.js';

const KIT_END_STATE_IDS = new Set<string>(Object.values(SAGA_STATE_IDS));

/** The kit's end states are always there (`defineSaga` requires them), used or not. */
function isKitEndState(node: AnyStateNode): boolean {
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) {
    if (KIT_END_STATE_IDS.has(n.id)) return true;
  }
  return false;
}

export function unreachableFindings(machine: AnyStateMachine): DefinitionFinding[] {
  const reachable = reachableStateNodes(machine);
  return allStateNodes(machine)
    .filter((node) => !reachable.has(node) && !isKitEndState(node))
    .filter((node) => !node.parent || reachable.has(node.parent)) // the topmost one only
    .map((node) => ({
      rule: 'unreachable-state',
      severity: 'error',
      path: node.id,
      message: `state "${node.id}" cannot be reached from the initial state by any transition`,
    }));
}

/**
 * A final state below the root (a step's `done`, a region's end) only moves the saga on through
 * an `onDone` on its parent, or on the parallel state that parent is a region of. Without one —
 * typically a `kit.step()` whose `onDone` was forgotten — the saga rests there forever.
 */
export function doneFindings(machine: AnyStateMachine): DefinitionFinding[] {
  const findings: DefinitionFinding[] = [];
  const reported = new Set<AnyStateNode>();
  for (const final of allStateNodes(machine)) {
    if (final.type !== 'final' || !final.parent || isKitEndState(final)) continue;
    let node: AnyStateNode = final.parent;
    while (!node.config.onDone && node.parent?.type === 'parallel') node = node.parent;
    if (node.config.onDone || !node.parent || reported.has(node)) continue;
    reported.add(node);
    findings.push({
      rule: 'done-handled',
      severity: 'error',
      path: node.id,
      message: `when "${node.id}" reaches its final state "${final.key}" nothing moves the saga on (no onDone): it would rest there forever`,
    });
  }
  return findings;
}

const NUMERIC_DELAY = /^\d+(\.\d+)?$/;

/** `after` keys: a number is a finding (its timer id holds its length), a name must exist. */
export function timerFindings(machine: AnyStateMachine): DefinitionFinding[] {
  const delays = machine.implementations.delays;
  return allStateNodes(machine).flatMap((node) =>
    Object.keys((node.config.after ?? {}) as Record<string, unknown>).flatMap(
      (key): DefinitionFinding[] => {
        if (NUMERIC_DELAY.test(key)) {
          return [
            {
              rule: 'timer-named',
              severity: 'error',
              path: node.id,
              message: `"after: { ${key}: … }" is an unnamed timer: its id (xstate.after.${key}.${node.id}) holds its length, so changing the length strands the timers of sagas already waiting; name it (setup({ delays }))`,
            },
          ];
        }
        // The `saga.` delays belong to the vocabulary; the kit or the engine supplies them.
        if (key in delays || key.startsWith('saga.')) return [];
        return [
          {
            rule: 'delay-defined',
            severity: 'error',
            path: node.id,
            message: `"after: { '${key}': … }" names a delay the machine does not implement (setup({ delays }))`,
          },
        ];
      },
    ),
  );
}

/** The name of a reference by name (`'x'` or `{ type: 'x' }`); undefined for inline functions. */
function referenceName(reference: unknown): string | undefined {
  if (typeof reference === 'string') return reference;
  if (reference != null && typeof reference === 'object') {
    const type = (reference as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

/** Actions and guards named in the machine that `setup()` does not implement. */
export function implementationFindings(machine: AnyStateMachine): DefinitionFinding[] {
  const { actions, guards } = machine.implementations;
  const findings: DefinitionFinding[] = [];
  const seen = new Set<string>();
  const report = (rule: 'action-defined' | 'guard-defined', path: string, name: string) => {
    const key = `${rule}:${path}:${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const kind = rule === 'action-defined' ? 'action' : 'guard';
    findings.push({
      rule,
      severity: 'error',
      path,
      message: `the ${kind} "${name}" is not implemented (setup({ ${kind}s })): ${
        kind === 'action' ? 'it would do nothing, silently' : 'the transition throws when taken'
      }`,
    });
  };
  const checkActions = (path: string, list: readonly unknown[]) => {
    for (const action of list) {
      const name = referenceName(action);
      if (name !== undefined && !name.startsWith('xstate.') && !(name in actions)) {
        report('action-defined', path, name);
      }
    }
  };
  for (const node of allStateNodes(machine)) {
    checkActions(node.id, node.entry);
    checkActions(node.id, node.exit);
    for (const transition of transitionsOf(node)) {
      checkActions(node.id, transition.actions);
      const guard = referenceName(transition.guard);
      if (guard !== undefined && !(guard in guards)) report('guard-defined', node.id, guard);
    }
  }
  return findings;
}

/**
 * A reachable state a saga can rest in (atomic, not final) with no deadline on it or around it
 * and no eventless way on: if the signal it waits for never comes, the saga waits forever.
 * `parked` is exempt: it waits for an operator on purpose.
 */
export function waitFindings(machine: AnyStateMachine): DefinitionFinding[] {
  const reachable = reachableStateNodes(machine);
  const hasDeadline = (node: AnyStateNode) => {
    for (let n: AnyStateNode | undefined = node; n; n = n.parent)
      if (n.after.length > 0 || hasSagaDeadline(n)) return true;
    return false;
  };
  const parked = machine.getStateNodeById(SAGA_STATE_IDS.parked);
  return [...reachable]
    .filter((node) => node.type === 'atomic')
    .filter((node) => !node.tags.includes(statusTag('parked')) && !isWithin(node, parked))
    .filter((node) => !(node.always && node.always.length > 0) && !hasDeadline(node))
    .map((node) => ({
      rule: 'wait-without-deadline',
      severity: 'warning',
      path: node.id,
      message: `a saga in "${node.id}" waits for an event with no deadline; add an "after" (a named delay) so it cannot wait forever`,
    }));
}
