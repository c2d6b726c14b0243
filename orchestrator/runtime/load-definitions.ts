/**
 * Finds saga definitions on disk: every `<dir>/<name>/index.(js|ts)` that default-exports a
 * SagaDefinition is registered. This is how architects add a saga: drop a folder into `sagas/`,
 * or keep it in their own repository and point `SAGA_DEFINITIONS_DIR` at it (its imports of
 * `saga-orchestrator/*` and `xstate` get the orchestrator's own copies: `shareImportsWith`).
 * (Definitions can also be passed to the orchestrator's factory directly.)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SagaDefinition } from '../engine/index.js';
import { shareImportsWith } from './shared-imports.js';

/** The project's own `sagas/` folder. */
export const BUILT_IN_SAGAS_DIR = path.resolve(import.meta.dirname, '..', '..', 'sagas');

export class DefinitionLoadError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${message} (${file})` : message);
    this.name = 'DefinitionLoadError';
  }
}

function isSagaDefinition(value: unknown): value is SagaDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<SagaDefinition>;
  return (
    typeof candidate.type === 'string' &&
    typeof candidate.version === 'string' &&
    typeof candidate.checkInput === 'function' &&
    typeof candidate.machine === 'object' &&
    candidate.machine !== null
  );
}

function entryFile(folder: string): string | undefined {
  // Compiled builds ship .js; running from source (tsx) finds .ts.
  for (const name of ['index.js', 'index.ts']) {
    const file = path.join(folder, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Imports every saga folder of `dir`, in name order. Folders without an index are skipped. */
export async function loadDefinitionsFromDir(dir: string): Promise<SagaDefinition[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DefinitionLoadError(`saga definitions folder does not exist: ${dir}`);
  }
  const definitions: SagaDefinition[] = [];
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  shareImportsWith(dir);
  for (const folder of folders) {
    const file = entryFile(path.join(dir, folder));
    if (!file) continue;
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (!isSagaDefinition(module.default)) {
      throw new DefinitionLoadError(
        'the default export is not a saga definition (type, version, machine, checkInput)',
        file,
      );
    }
    definitions.push(module.default);
  }
  return definitions;
}

/**
 * The definitions `SAGA_TYPES` names (every version of each), in its order; all of them when
 * `types` is undefined. A type named but not loaded is a start-up error that lists what was
 * loaded (a typo must not start an orchestrator that silently refuses every saga of that type).
 */
export function selectDefinitions(
  definitions: readonly SagaDefinition[],
  types: readonly string[] | undefined,
): SagaDefinition[] {
  if (types === undefined) return [...definitions];
  const loaded = new Set(definitions.map((definition) => definition.type));
  const missing = types.filter((type) => !loaded.has(type));
  if (missing.length > 0) {
    const found = [...loaded].sort().join(', ') || 'none';
    throw new DefinitionLoadError(
      `SAGA_TYPES names saga types that no loaded definition has: ${missing.join(', ')} (loaded: ${found})`,
    );
  }
  return types.flatMap((type) => definitions.filter((definition) => definition.type === type));
}

/**
 * Combines definition lists. Versions of one type run side by side (each folder one version, e.g.
 * `order/` and `order-v2/`); the same type and version twice is a mistake worth stopping for.
 */
export function mergeDefinitions(...lists: SagaDefinition[][]): SagaDefinition[] {
  const byKey = new Map<string, SagaDefinition>();
  for (const definition of lists.flat()) {
    const key = `${definition.type}@${definition.version}`;
    const existing = byKey.get(key);
    if (existing && existing !== definition) {
      throw new DefinitionLoadError(
        `two saga definitions have the type "${definition.type}" and version ${definition.version}`,
      );
    }
    byKey.set(key, definition);
  }
  return [...byKey.values()];
}
