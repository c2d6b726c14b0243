/**
 * The boundaries between rooms, linted (`npm run lint` runs this after eslint):
 *
 * - wire/ is the ground floor: it imports nothing of orchestrator/, participants/ or sagas/;
 * - the participant SDK (participants/sdk) stands on wire/ only, never on orchestrator/;
 * - a room (a folder directly under wire/, orchestrator/, participants/ or sagas/) is entered
 *   from outside only through an index.ts (its own, or a sub-room's such as
 *   orchestrator/engine/testing/index.ts); the contract's JSON Schemas are data and may be read
 *   directly;
 * - rooms are layered (LAYERS, bottom first): no arrow runs back up, so rooms have no cycles,
 *   and no module cycle either.
 *
 * Tools (cli/, scripts/, bench/, dashboards/) and tests are not rooms: they may reach inside.
 * `npm run deps:graph` prints the graph these rules keep.
 */
const ROOM = '(?:wire|orchestrator|participants|sagas)/[^/]+';

/** The rooms from the bottom up: a room may import only rooms listed before it. */
const LAYERS = [
  'wire/contract',
  'wire/telemetry',
  'wire/transport',
  'wire/kafka',
  'orchestrator/config',
  'orchestrator/engine',
  'sagas/[^/]+',
  'orchestrator/entry-points',
  'orchestrator/store',
  'orchestrator/telemetry',
  'orchestrator/runtime',
  'orchestrator/console',
  'orchestrator/api',
  'orchestrator/service',
  'participants/sdk',
  'participants/examples',
];

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: 'no-arrow-back-up',
  comment: `${layer} sits below ${LAYERS.slice(index + 1).join(', ')} and cannot import them.`,
  severity: 'error',
  from: { path: `^${layer}/` },
  to: { path: `^(?:${LAYERS.slice(index + 1).join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'wire-is-the-ground-floor',
      comment: 'wire/ is what both sides stand on: it cannot import either side.',
      severity: 'error',
      from: { path: '^wire/' },
      to: { path: '^(?:orchestrator|participants|sagas)/' },
    },
    {
      name: 'sdk-stands-on-wire-only',
      comment:
        'The participant SDK ships on its own (saga-orchestrator/participant): import wire/, not orchestrator/.',
      severity: 'error',
      from: { path: '^participants/sdk/' },
      to: { path: '^orchestrator/' },
    },
    {
      name: 'through-the-index',
      comment: 'Enter another room through its index.ts, not past it.',
      severity: 'error',
      from: { path: `^(${ROOM})/` },
      to: { path: `^${ROOM}/`, pathNot: ['^$1/', '/index\\.ts$', '^wire/contract/schemas/'] },
    },
    {
      name: 'through-the-index',
      comment:
        'Enter a room through its index.ts, not past it (from a process entry such as main.ts).',
      severity: 'error',
      from: { path: '^(?:orchestrator|participants)/[^/]+\\.ts$' },
      to: { path: `^${ROOM}/`, pathNot: ['/index\\.ts$', '^wire/contract/schemas/'] },
    },
    ...upward,
    {
      name: 'no-circular',
      comment: 'Modules do not import each other in a circle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
    },
  },
};
