/**
 * The saga's statechart drawn as SVG: laid out by elkjs (its bundled build, in the page's own
 * thread, loaded on first use) from {@link statechartModel}, compound states as nested boxes, parallel regions as
 * dashed boxes side by side, transitions as arrows labelled with their event. Active states are
 * filled, states and arrows of the path taken are marked.
 */
import type { ELK as ElkLayout, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import {
  activePaths,
  pathTaken,
  statechartModel,
  type ChartNode,
  type StatechartModel,
} from './statechart-model.js';
import type { HistoryEntry } from './types.js';

const ROOT_ID = '(root)';
const CHAR_WIDTH = 7.2;
const LABEL_CHAR_WIDTH = 6.2;

/**
 * elkjs is most of the console's weight (1.6 MB, 450 kB gzipped): it is a chunk of its own,
 * loaded when a saga page first draws a statechart, so the list loads without it.
 */
let elk: Promise<ElkLayout> | undefined;
const loadElk = () =>
  (elk ??= import('elkjs/lib/elk.bundled.js').then(({ default: ELK }) => new ELK()));

const idOf = (path: string) => (path === '' ? ROOT_ID : path);
const pathOf = (id: string) => (id === ROOT_ID ? '' : id);

function elkNode(node: ChartNode): ElkNode {
  if (node.children.length === 0) {
    const text = Math.max(node.key.length * CHAR_WIDTH, (node.description?.length ?? 0) * 6);
    return {
      id: idOf(node.path),
      width: Math.max(70, text + 24),
      height: node.description ? 42 : 30,
    };
  }
  return {
    id: idOf(node.path),
    layoutOptions: {
      'elk.padding': '[top=28,left=12,bottom=12,right=12]',
      // Regions of a parallel state run side by side; a compound state's children flow down.
      ...(node.kind === 'parallel' ? { 'elk.direction': 'RIGHT' } : {}),
    },
    children: node.children.map(elkNode),
  };
}

interface Layout {
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  edges: ElkExtendedEdge[];
  width: number;
  height: number;
}

async function layoutOf(model: StatechartModel): Promise<Layout> {
  const graph: ElkNode = {
    ...elkNode(model.root),
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    edges: model.edges.map((edge) => ({
      id: edge.id,
      sources: [idOf(edge.source)],
      targets: [idOf(edge.target)],
      labels: [{ text: edge.label, width: edge.label.length * LABEL_CHAR_WIDTH + 6, height: 14 }],
    })),
  };
  const laid = await (await loadElk()).layout(graph);
  const nodes: Layout['nodes'] = new Map();
  const place = (node: ElkNode, offsetX: number, offsetY: number) => {
    const x = offsetX + (node.x ?? 0);
    const y = offsetY + (node.y ?? 0);
    nodes.set(pathOf(node.id), { x, y, width: node.width ?? 0, height: node.height ?? 0 });
    for (const child of node.children ?? []) place(child, x, y);
  };
  place(laid, 0, 0);
  return { nodes, edges: laid.edges ?? [], width: laid.width ?? 0, height: laid.height ?? 0 };
}

function edgePath(edge: ElkExtendedEdge, offset: { x: number; y: number }): string {
  return (edge.sections ?? [])
    .map((section) =>
      [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
        .map(
          (point, index) => `${index === 0 ? 'M' : 'L'}${point.x + offset.x},${point.y + offset.y}`,
        )
        .join(' '),
    )
    .join(' ');
}

export interface StatechartProps {
  definition: Record<string, unknown>;
  state: string;
  history: readonly HistoryEntry[];
}

/** The statechart with the saga's state(s) and path on it. */
export function Statechart({ definition, state, history }: StatechartProps) {
  const [model] = useState(() => statechartModel(definition));
  const [layout, setLayout] = useState<Layout | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    layoutOf(model).then(setLayout, (e: unknown) => setError(String(e)));
  }, [model]);

  if (error) return html`<p class="error">The statechart could not be laid out: ${error}</p>`;
  if (!layout) return html`<p class="muted">Laying out the statechart…</p>`;

  const active = activePaths(state);
  const taken = pathTaken(history, model.edges);
  const kindOf = new Map<string, ChartNode>();
  const collect = (node: ChartNode) => {
    kindOf.set(node.path, node);
    node.children.forEach(collect);
  };
  collect(model.root);
  const parentKind = (path: string) => {
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    return kindOf.get(parent)?.kind;
  };

  const boxes = [...layout.nodes.entries()]
    .filter(([path]) => path !== '')
    .map(([path, box]) => {
      const node = kindOf.get(path);
      const leaf = (node?.children.length ?? 0) === 0;
      const classes = [
        'state',
        leaf ? 'leaf' : 'group',
        node?.kind ?? '',
        parentKind(path) === 'parallel' ? 'region' : '',
        active.has(path) ? 'active' : '',
        taken.states.has(path) ? 'visited' : '',
      ].filter(Boolean);
      return html`<g class=${classes.join(' ')} data-path=${path}>
        <title>${path}${node?.description ? ` — ${node.description}` : ''}</title>
        <rect x=${box.x} y=${box.y} width=${box.width} height=${box.height} rx="6" />
        ${
          node?.kind === 'final'
            ? html`<rect
                class="inner"
                x=${box.x + 3}
                y=${box.y + 3}
                width=${box.width - 6}
                height=${box.height - 6}
                rx="4"
              />`
            : null
        }
        ${
          leaf
            ? html`<text
                  x=${box.x + box.width / 2}
                  y=${box.y + (node?.description ? 17 : 19)}
                  text-anchor="middle"
                  >${node?.key}</text
                >
                ${
                  node?.description
                    ? html`<text
                        class="description"
                        x=${box.x + box.width / 2}
                        y=${box.y + 33}
                        text-anchor="middle"
                        >${node.description}</text
                      >`
                    : null
                }`
            : html`<text x=${box.x + 10} y=${box.y + 18}
                >${node?.key}${node?.kind === 'parallel' ? ' ‖' : ''}${node?.description ? html`<tspan class="description"> ${node.description}</tspan>` : null}</text
              >`
        }
      </g>`;
    });

  const arrows = layout.edges.map((edge) => {
    const container = layout.nodes.get(
      pathOf((edge as { container?: string }).container ?? ROOT_ID),
    );
    const offset = { x: container?.x ?? 0, y: container?.y ?? 0 };
    const label = edge.labels?.[0];
    const classes = ['transition', taken.edges.has(edge.id) ? 'taken' : ''].filter(Boolean);
    return html`<g class=${classes.join(' ')} data-edge=${edge.id}>
      <path
        d=${edgePath(edge, offset)}
        marker-end=${taken.edges.has(edge.id) ? 'url(#arrow-taken)' : 'url(#arrow)'}
      />
      ${
        label
          ? html`<text x=${(label.x ?? 0) + offset.x + 3} y=${(label.y ?? 0) + offset.y + 11}
              >${label.text}</text
            >`
          : null
      }
    </g>`;
  });

  return html`<div class="statechart">
    <svg
      role="img"
      aria-label="statechart"
      viewBox="0 0 ${layout.width} ${layout.height}"
      width=${layout.width}
      height=${layout.height}
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
        <marker
          id="arrow-taken"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead taken" />
        </marker>
      </defs>
      ${boxes}${arrows}
    </svg>
    ${
      model.global.length > 0
        ? html`<p class="muted small">
            From any state: ${model.global.map((g) => `${g.event} → ${g.target}`).join('; ')}
          </p>`
        : null
    }
  </div>`;
}
