/**
 * The states a saga of a definition can rest in, as they appear in `SagaRecord.state` (and so in
 * the `saga.state` metric attribute): the statechart's leaf states, by dotted path. The gauges
 * report every one of them (0 when empty) so a state never drops out of a chart, and the
 * per-saga-type dashboard has a panel for each.
 *
 * Left out: a compound state's own final child (`reserveInventory.done`), which its `onDone`
 * leaves in the same step, and history nodes. Leaves inside a parallel state appear in records
 * joined with `,` (one path per region), so such a parallel state is reported as one entry that
 * matches by prefix.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { type SagaStatus, STATUS_TAG_PREFIX } from '../engine/index.js';

export interface SagaStateInfo {
  /** The state path as in `SagaRecord.state`, e.g. `reserveInventory.attempting`. */
  path: string;
  /** The saga's status while it is in this state. */
  status: SagaStatus;
  /** A final state of the saga (it ends there). */
  final: boolean;
  /**
   * `exact`: records show `path` itself. `prefix`: a parallel state, whose records show
   * `path.<region…>,path.<region…>`.
   */
  match: 'exact' | 'prefix';
}

/** The resting states of a definition's machine, in document order. */
export function sagaStatesOf(machine: AnyStateMachine): SagaStateInfo[] {
  const states: SagaStateInfo[] = [];
  const visit = (node: AnyStateNode, inherited: SagaStatus | undefined) => {
    const status = statusTagOf(node) ?? inherited;
    const path = node.path.join('.');
    if (node.type === 'history') return;
    if (node.type === 'parallel') {
      states.push({ path, status: status ?? 'running', final: false, match: 'prefix' });
      return;
    }
    const children = Object.values(node.states);
    if (children.length > 0) {
      for (const child of children) visit(child, status);
      return;
    }
    const topLevel = node.path.length === 1;
    if (node.type === 'final' && !topLevel) return;
    const final = node.type === 'final';
    states.push({
      path,
      status: status ?? (final ? 'completed' : 'running'),
      final,
      match: 'exact',
    });
  };
  for (const child of Object.values(machine.root.states)) visit(child, undefined);
  return states;
}

function statusTagOf(node: AnyStateNode): SagaStatus | undefined {
  for (const tag of node.tags) {
    if (tag.startsWith(STATUS_TAG_PREFIX)) return tag.slice(STATUS_TAG_PREFIX.length) as SagaStatus;
  }
  return undefined;
}
