/**
 * Reading a saga statechart back: its steps (from the `meta.saga` the step helper writes) and its
 * saga-level deadlines (`meta.sagaDeadline`), for
 * definition checks, the API and path-generating tests.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { hasSagaDeadline, type SagaDeadlineMeta } from './deadline.js';
import type { SagaStepMeta } from './step.js';

export interface SagaStepInfo extends SagaStepMeta {
  /** The state node id, e.g. `order.reserveInventory`. */
  stateId: string;
}

function isStepMeta(value: unknown): value is SagaStepMeta {
  return (
    value != null &&
    typeof value === 'object' &&
    (value as { kind?: unknown }).kind === 'step' &&
    typeof (value as { step?: unknown }).step === 'string'
  );
}

function* walk(node: AnyStateNode): Generator<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states)) yield* walk(child);
}

/** The steps of a machine in document order; throws when two steps share a name. */
export function sagaStepsOf(machine: AnyStateMachine): SagaStepInfo[] {
  const steps: SagaStepInfo[] = [];
  const seen = new Set<string>();
  for (const node of walk(machine.root)) {
    const meta: unknown = (node.meta as { saga?: unknown } | undefined)?.saga;
    if (!isStepMeta(meta)) continue;
    if (seen.has(meta.step)) {
      throw new Error(`saga "${machine.id}": two steps are named "${meta.step}"`);
    }
    seen.add(meta.step);
    steps.push({ ...meta, stateId: node.id });
  }
  return steps;
}

/** The saga-level deadlines (`sagaDeadline()`) of a machine in document order. */
export function sagaDeadlinesOf(
  machine: AnyStateMachine,
): (SagaDeadlineMeta & { stateId: string })[] {
  const deadlines: (SagaDeadlineMeta & { stateId: string })[] = [];
  for (const node of walk(machine.root)) {
    if (!hasSagaDeadline(node)) continue;
    const meta = (node.meta as { sagaDeadline: SagaDeadlineMeta }).sagaDeadline;
    deadlines.push({ ...meta, stateId: node.id });
  }
  return deadlines;
}
