/**
 * Reading a statechart's structure without running it: every state node, every transition
 * (`on`, `after`, `onDone`, `always`), and the states a saga can reach from its initial state.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** A transition as XState resolved it (targets are state nodes; `#id` targets included). */
export interface WalkedTransition {
  source: AnyStateNode;
  /** `on` event type, `xstate.after.<delay>.<id>`, `xstate.done.state.<id>`, or '' for always. */
  eventType: string;
  target: readonly AnyStateNode[];
  guard: unknown;
  actions: readonly unknown[];
}

/** Every state node of the machine, the root first, in document order. */
export function allStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode) => {
    nodes.push(node);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return nodes;
}

/** The transitions that leave from `node` itself (not its ancestors). */
export function transitionsOf(node: AnyStateNode): WalkedTransition[] {
  // Typed loosely by XState for any machine; read as the resolved definitions they are.
  const resolved = [...node.transitions.values()].flat() as unknown as WalkedTransition[];
  const always = (node.always ?? []) as unknown as WalkedTransition[];
  return [...resolved, ...always].map((t) => ({
    source: node,
    eventType: t.eventType,
    target: t.target ?? [],
    guard: t.guard,
    actions: t.actions ?? [],
  }));
}

/** Whether `node` is `ancestor` or lies inside it. */
export function isWithin(node: AnyStateNode, ancestor: AnyStateNode): boolean {
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

/**
 * The state nodes a saga can be in, walking from the initial state over every transition target
 * whatever its guard (a guard can only narrow what is reachable, so this over-approximates: a
 * state it misses is unreachable for sure). Entering a compound state enters its initial child,
 * a parallel state all its regions, and an explicit target its ancestors and, in a parallel
 * ancestor, the other regions' initial states.
 */
export function reachableStateNodes(machine: AnyStateMachine): Set<AnyStateNode> {
  const active = new Set<AnyStateNode>();
  const enteredByDefault = new Set<AnyStateNode>();
  const queue: AnyStateNode[] = [];
  const activate = (node: AnyStateNode) => {
    if (active.has(node)) return;
    active.add(node);
    queue.push(node);
  };
  const enterByDefault = (node: AnyStateNode): void => {
    if (enteredByDefault.has(node)) return;
    enteredByDefault.add(node);
    activate(node);
    const children = Object.values(node.states);
    if (node.type === 'parallel') children.forEach(enterByDefault);
    else if (node.type === 'compound') {
      const initial: readonly AnyStateNode[] = node.initial?.target ?? [];
      initial.forEach(enterByDefault);
    } else if (node.type === 'history' && node.parent) {
      // A history state may restore any child of its parent.
      Object.values(node.parent.states).forEach(enterByDefault);
    }
  };
  const enterTarget = (target: AnyStateNode) => {
    let child = target;
    for (let parent = target.parent; parent; child = parent, parent = parent.parent) {
      activate(parent);
      if (parent.type === 'parallel') {
        for (const region of Object.values(parent.states)) {
          if (region !== child) enterByDefault(region);
        }
      }
    }
    enterByDefault(target);
  };

  enterByDefault(machine.root);
  for (let node = queue.shift(); node; node = queue.shift()) {
    for (const transition of transitionsOf(node)) transition.target.forEach(enterTarget);
  }
  return active;
}
