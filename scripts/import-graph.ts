/**
 * The import graph between rooms, as plain text (`npm run deps:graph`): one line per arrow
 * `from → to`, a room being a folder directly under orchestrator/, participants/ or wire/ (or a
 * top-level file there, such as orchestrator/main.ts). An arrow that belongs to a cycle between
 * rooms (it runs back up: its target also reaches its source) is marked `⟲`; the last line counts
 * them. Built on dependency-cruiser, the tool that lints the same boundaries
 * (.dependency-cruiser.cjs).
 *
 *   npm run deps:graph
 */
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** A module's room: the first folder (or file) under a top-level source folder. */
const ROOM = '^(wire|orchestrator|participants)/[^/]+|^(sagas|cli)';

/** The room-to-room arrows of the source tree, sorted. */
export async function roomArrows(): Promise<Array<[string, string]>> {
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const result = await cruise(
      ['orchestrator', 'participants', 'wire', 'sagas', 'cli'].filter((root) =>
        existsSync(path.join(repoRoot, root)),
      ),
      {
        collapse: ROOM,
        includeOnly: '^(wire|orchestrator|participants|sagas|cli)/',
        exclude: { path: '\\.test\\.ts$' },
        tsPreCompilationDeps: true,
      },
      undefined,
      { tsConfig: { fileName: path.join(repoRoot, 'tsconfig.json') } },
    );
    const output = result.output as ICruiseResult;
    const arrows = new Set<string>();
    for (const module of output.modules) {
      for (const dependency of module.dependencies) {
        if (dependency.resolved !== module.source) {
          arrows.add(`${module.source}\u0000${dependency.resolved}`);
        }
      }
    }
    return [...arrows].sort().map((arrow) => arrow.split('\u0000') as [string, string]);
  } finally {
    process.chdir(previous);
  }
}

/** Whether `to` reaches `from` through the arrows (so `from → to` closes a cycle). */
function closesCycle(arrows: Array<[string, string]>, from: string, to: string): boolean {
  const seen = new Set<string>([to]);
  const queue = [to];
  while (queue.length > 0) {
    const room = queue.shift()!;
    if (room === from) return true;
    for (const [source, target] of arrows) {
      if (source === room && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return false;
}

/** The graph as text: arrows, cycle marks, and a count. */
export function formatGraph(arrows: Array<[string, string]>): string {
  const lines = arrows.map(
    ([from, to]) => `${closesCycle(arrows, from, to) ? '⟲' : ' '} ${from} → ${to}`,
  );
  const back = lines.filter((line) => line.startsWith('⟲')).length;
  return [...lines, `${arrows.length} arrows, ${back} in cycles (⟲)`].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatGraph(await roomArrows()));
}
