/**
 * A saga definition's statechart as boxes and arrows, for drawing: the state tree (XState's
 * `machine.toJSON()`, as `GET /v1/definitions/:type` returns it under `definition`) with paths
 * like the saga's `state` string (`booking.hotel.attempting`), the transitions between states
 * with short event labels, which states are active now and which the saga passed through (its
 * history's `transition` entries). Pure: no DOM, unit-tested in test/unit/console.
 */

export type ChartNodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartNode {
  /** Dotted path from the root, as in the saga's state string; `''` for the root. */
  path: string;
  key: string;
  kind: ChartNodeKind;
  /** The step's `participant.Command` (the step helper writes it as the state's description). */
  description?: string;
  /** The initial child's key, for a compound state. */
  initial?: string;
  children: ChartNode[];
}

export interface ChartEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  /** The full event type, e.g. `step.reserveInventory.succeeded`. */
  event: string;
}

export interface StatechartModel {
  root: ChartNode;
  edges: ChartEdge[];
  /** Transitions of the root (e.g. `saga.cancel` from anywhere), listed rather than drawn. */
  global: Array<{ event: string; target: string }>;
}

interface JsonStateNode {
  id?: string;
  key?: string;
  type?: string;
  description?: string;
  initial?: { target?: string[] } | null;
  states?: Record<string, JsonStateNode>;
  transitions?: Array<{ eventType?: string | null; target?: string[] }>;
}

const stripHash = (ref: string) => (ref.startsWith('#') ? ref.slice(1) : ref);

/**
 * A short label for an event type: the step's name is on the box the arrow leaves. A delayed
 * transition's type is `xstate.after.<delay>.<source state id>`; its label is `after <delay>`.
 */
export function eventLabel(event: string, sourceId = ''): string {
  if (event.startsWith('xstate.after.')) {
    let delay = event.slice('xstate.after.'.length);
    if (sourceId && delay.endsWith(`.${sourceId}`)) delay = delay.slice(0, -sourceId.length - 1);
    delay = delay.replace(/^saga\./u, '').replace(/^stepTimeout\..*$/u, 'step deadline');
    return `after ${delay}`;
  }
  if (event.startsWith('xstate.done.state.')) return 'done';
  const step = /^step\.[^.]+\.(.+)$/u.exec(event);
  if (step?.[1]) return step[1];
  return event;
}

/** Builds the model from `definition` (XState's `machine.toJSON()`). */
export function statechartModel(definition: unknown): StatechartModel {
  const pathById = new Map<string, string>();
  const sourceNodes: Array<{ path: string; json: JsonStateNode }> = [];

  const visit = (json: JsonStateNode, path: string, key: string): ChartNode => {
    if (json.id) pathById.set(json.id, path);
    sourceNodes.push({ path, json });
    const children = Object.entries(json.states ?? {}).map(([childKey, child]) =>
      visit(child, path ? `${path}.${childKey}` : childKey, childKey),
    );
    const kind: ChartNodeKind =
      json.type === 'parallel' || json.type === 'final' || json.type === 'history'
        ? json.type
        : children.length > 0
          ? 'compound'
          : 'atomic';
    const initialTarget = json.initial?.target?.[0];
    const initial = initialTarget ? stripHash(initialTarget).split('.').pop() : undefined;
    return {
      path,
      key,
      kind,
      ...(json.description ? { description: json.description } : {}),
      ...(initial && kind === 'compound' ? { initial } : {}),
      children,
    };
  };
  const rootJson = (definition ?? {}) as JsonStateNode;
  const root = visit(rootJson, '', rootJson.key ?? rootJson.id ?? 'saga');

  const resolve = (ref: string) => pathById.get(stripHash(ref));
  const edges: ChartEdge[] = [];
  const global: StatechartModel['global'] = [];
  const seen = new Set<string>();
  for (const { path, json } of sourceNodes) {
    for (const transition of json.transitions ?? []) {
      const event = transition.eventType ?? '';
      for (const ref of transition.target ?? []) {
        const target = resolve(ref);
        if (target === undefined || target === path) continue;
        if (path === '') {
          global.push({ event, target });
          continue;
        }
        const label = eventLabel(event, json.id);
        const id = `${path}->${target}:${label}`;
        if (seen.has(id)) continue;
        seen.add(id);
        edges.push({ id, source: path, target, label, event });
      }
    }
  }
  return { root, edges, global };
}

/** Every prefix of a dotted path: `a.b.c` → `a`, `a.b`, `a.b.c`. */
function withAncestors(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, index) => parts.slice(0, index + 1).join('.'));
}

/** The active leaves of a state string (parallel regions are joined with `,`). */
export const leavesOf = (state: string): string[] =>
  state
    .split(',')
    .map((leaf) => leaf.trim())
    .filter(Boolean);

/** The active states: each leaf of the state string and its ancestors. */
export function activePaths(state: string): Set<string> {
  return new Set(leavesOf(state).flatMap(withAncestors));
}

interface TransitionLine {
  kind: string;
  from?: string;
  to?: string;
}

/** What the saga went through: the states it was in and the arrows it took. */
export function pathTaken(
  history: readonly TransitionLine[],
  edges: readonly ChartEdge[],
): { states: Set<string>; edges: Set<string> } {
  const states = new Set<string>();
  const taken = new Set<string>();
  const isWithin = (path: string, ancestorOrSelf: string) =>
    path === ancestorOrSelf || path.startsWith(`${ancestorOrSelf}.`);
  for (const line of history) {
    if (line.to === undefined) continue;
    const to = leavesOf(line.to);
    for (const leaf of to) for (const path of withAncestors(leaf)) states.add(path);
    if (line.kind !== 'transition' || line.from === undefined) continue;
    const from = leavesOf(line.from);
    const left = from.filter((leaf) => !to.includes(leaf));
    const entered = to.filter((leaf) => !from.includes(leaf));
    for (const edge of edges) {
      if (
        left.some((leaf) => isWithin(leaf, edge.source)) &&
        entered.some((leaf) => isWithin(leaf, edge.target))
      ) {
        taken.add(edge.id);
      }
    }
  }
  return { states, edges: taken };
}
