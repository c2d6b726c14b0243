/**
 * XState's pure `transition()` and `initialTransition()`, without their cost per call.
 *
 * Both helpers build a throw-away actor for every call, and an actor's constructor computes the
 * machine's whole initial state — with no input, so a saga's context factory throws a TypeError
 * that XState catches (stack trace included). The bench's CPU profile of the orchestrator put
 * that wasted initial state at about half of the engine's time (docs/benchmarks.md).
 *
 * These run the same `machine.transition` / `machine.getInitialSnapshot` with an actor scope
 * like the helpers' (actions are collected as data by `actionExecutor`, nothing is executed),
 * but its actor is restored from a snapshot — which runs nothing — and the scope is made once
 * per machine and reused. Reuse is sound because a pure step only reads the scope: saga
 * statecharts do not invoke or spawn actors (actions are data). A machine that does declare an
 * `invoke` gets XState's own helpers, so it behaves exactly as before.
 */
import {
  createActor,
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type EventObject,
  type ExecutableActionObject,
} from 'xstate';

/** The actor scope `StateMachine.transition` takes. */
type MachineScope = Parameters<AnyStateMachine['transition']>[2];

interface ReusableScope {
  scope: MachineScope;
  /** Where `actionExecutor` puts the actions of the step in progress. */
  collected: ExecutableActionObject[];
}

const scopes = new WeakMap<AnyStateMachine, ReusableScope | null>();

export function pureTransition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): [AnyMachineSnapshot, ExecutableActionObject[]] {
  const reusable = scopeOf(machine);
  if (!reusable) return transition(machine, snapshot, event);
  reusable.collected = [];
  const next = machine.transition(snapshot, event, reusable.scope) as AnyMachineSnapshot;
  return [next, reusable.collected];
}

export function pureInitialTransition(
  machine: AnyStateMachine,
  input: unknown,
): [AnyMachineSnapshot, ExecutableActionObject[]] {
  const reusable = scopeOf(machine);
  if (!reusable) return initialTransition(machine, input);
  reusable.collected = [];
  const next = machine.getInitialSnapshot(reusable.scope, input) as AnyMachineSnapshot;
  return [next, reusable.collected];
}

function scopeOf(machine: AnyStateMachine): ReusableScope | null {
  let reusable = scopes.get(machine);
  if (reusable !== undefined) return reusable;
  reusable = invokesActors(machine.root) ? null : createScope(machine);
  scopes.set(machine, reusable);
  return reusable;
}

/** The fields of XState's own inert scope (`createInertActorScope`), with a restored actor. */
function createScope(machine: AnyStateMachine): ReusableScope {
  // Any snapshot will do: the actor is never started, and only its identity is read.
  const self = createActor(machine, {
    snapshot: machine.resolveState({
      value: machine.root.initial?.target[0]?.key ?? {},
      context: {},
    }),
  });
  const reusable: ReusableScope = { scope: undefined as unknown as MachineScope, collected: [] };
  reusable.scope = {
    self,
    id: '',
    sessionId: '',
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    actionExecutor: (action) => {
      reusable.collected.push(action);
    },
  };
  return reusable;
}

function invokesActors(node: AnyStateNode): boolean {
  if (node.invoke.length > 0) return true;
  return Object.values(node.states).some((child) => invokesActors(child));
}
