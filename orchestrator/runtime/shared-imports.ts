/**
 * Lets a saga definition folder outside the repository import `saga-orchestrator/definitions`,
 * `saga-orchestrator/testing` and `xstate` and get the orchestrator's own copies (see
 * `shared-imports-hooks.ts` for how, sagas/README.md for what an architect writes).
 */
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SharedImportsData } from './shared-imports-hooks.js';

/**
 * Packages a definition shares with the orchestrator. `saga-orchestrator` resolves through the
 * package's own `exports` (package.json from source, dist/package.json in the build).
 */
export const SHARED_PACKAGES = ['saga-orchestrator', 'xstate'] as const;

const registered = new Set<string>();

/**
 * Registers the resolve hooks for modules under `folder` (once per folder). Call it before the
 * folder's first import: a module already imported keeps what it resolved.
 */
export function shareImportsWith(folder: string): void {
  const folderUrl = pathToFileURL(path.resolve(folder) + path.sep).href;
  if (registered.has(folderUrl)) return;
  registered.add(folderUrl);
  // This module's own extension: .ts when run from source (tsx), .js in the build.
  const hooks = new URL(
    `./shared-imports-hooks${path.extname(import.meta.filename)}`,
    import.meta.url,
  );
  const data: SharedImportsData = {
    folders: [folderUrl],
    resolveFrom: import.meta.url,
    packages: [...SHARED_PACKAGES],
  };
  register(hooks, { data });
}
