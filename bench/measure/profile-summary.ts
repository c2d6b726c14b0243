/**
 * Summarises a V8 `.cpuprofile` into what costs what: self time per function and per module.
 *
 * Module of a frame: an npm package (`kafkajs`, `ioredis`, `xstate`, …), a folder of this
 * project (`orchestrator/store`, `orchestrator/engine`, …), a part of Node (`node:internal/…`),
 * or V8's own buckets (`(garbage collector)`, `(program)`, `(idle)`). Frames without a script
 * (V8 builtins such as `JSON.stringify`, `Buffer` natives, regexp) are charged to the module of
 * the nearest JavaScript caller, so "serialising a command" counts where it happens.
 */

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  /** % of the non-idle samples. */
  percent: number;
}

export interface ProfileSummary {
  /** Wall time covered by the profile. */
  durationMs: number;
  /** Time the process was doing something (all samples but `(idle)`). */
  busyMs: number;
  modules: ProfileRow[];
  functions: ProfileRow[];
}

const V8_BUCKETS = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** `root` is the project directory, to shorten paths and recognise the project's own files. */
export function summarizeProfile(profile: CpuProfile, root: string, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const hits = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) {
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  }
  const totalHits = [...hits.values()].reduce((sum, n) => sum + n, 0);
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits === 0 ? 0 : durationMs / totalHits;

  const moduleOf = (id: number): string => {
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const frame = byId.get(current)?.callFrame;
      if (!frame) break;
      if (V8_BUCKETS.has(frame.functionName)) return frame.functionName;
      if (frame.url) return moduleOfUrl(frame.url, root);
    }
    return '(native, no JavaScript caller)';
  };

  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let idleHits = 0;
  for (const [id, count] of hits) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || count === 0) continue;
    if (frame.functionName === '(idle)') {
      idleHits += count;
      continue;
    }
    const module = moduleOf(id);
    modules.set(module, (modules.get(module) ?? 0) + count);
    const fn = functionLabel(frame, root, module);
    functions.set(fn, (functions.get(fn) ?? 0) + count);
  }
  const busyHits = totalHits - idleHits;
  const rows = (counts: Map<string, number>, limit: number): ProfileRow[] =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, count]) => ({
        name,
        selfMs: Math.round(count * msPerHit),
        percent: busyHits === 0 ? 0 : Math.round((count / busyHits) * 1000) / 10,
      }));
  return {
    durationMs: Math.round(durationMs),
    busyMs: Math.round(busyHits * msPerHit),
    modules: rows(modules, 40),
    functions: rows(functions, top),
  };
}

/** `kafkajs`, `@opentelemetry/api`, `orchestrator/store`, `node:internal/streams`, … */
export function moduleOfUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const parts = path.slice(inModules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? path);
  }
  if (path.startsWith('node:')) {
    const parts = path.slice('node:'.length).split('/');
    return parts[0] === 'internal' && parts.length > 2
      ? `node:internal/${parts[1] ?? ''}`
      : `node:${parts[0] ?? ''}`;
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  if (path.startsWith(prefix)) {
    const parts = path.slice(prefix.length).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  return path;
}

function functionLabel(
  frame: CpuProfile['nodes'][number]['callFrame'],
  root: string,
  module: string,
): string {
  const name = frame.functionName || '(anonymous)';
  if (V8_BUCKETS.has(name)) return name;
  if (!frame.url) return `${name} (native, called from ${module})`;
  const path = frame.url.startsWith('file://') ? decodeURIComponent(frame.url.slice(7)) : frame.url;
  const inModules = path.lastIndexOf('/node_modules/');
  const short =
    inModules >= 0
      ? path.slice(inModules + '/node_modules/'.length)
      : path.startsWith(`${root}/`)
        ? path.slice(root.length + 1)
        : path;
  return `${name} ${short}:${frame.lineNumber + 1}`;
}
