/**
 * Module resolve hooks (Node's `module.register`, run on the loader thread) that make a saga
 * definition folder outside the repository use the orchestrator's own packages: an import of
 * `saga-orchestrator/…` or `xstate` (and `xstate/…`) from a module under one of the folders is
 * resolved as if the orchestrator itself imported it. Registered by `shareImportsWith()`.
 *
 * Why: ESM ignores NODE_PATH and such a folder has no node_modules of its own (or one with a
 * second xstate, installed for type checking); two copies of xstate or of the vocabulary in one
 * process would make machines the engine cannot run.
 */

/** What `shareImportsWith()` passes to {@link initialize}. */
export interface SharedImportsData {
  /** `file:` URLs of the definition folders, each ending with `/`. */
  folders: string[];
  /** A `file:` URL of an orchestrator module: shared packages resolve as if imported from it. */
  resolveFrom: string;
  /** Bare package names shared with the folders, e.g. `xstate`. */
  packages: string[];
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes: Record<string, string>;
}

type NextResolve = (
  specifier: string,
  context?: Partial<ResolveContext>,
) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;

let shared: SharedImportsData = { folders: [], resolveFrom: '', packages: [] };

export function initialize(data: SharedImportsData): void {
  shared = data;
}

function packageOf(specifier: string): string | undefined {
  return shared.packages.find((name) => specifier === name || specifier.startsWith(`${name}/`));
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve) {
  const fromFolder =
    context.parentURL !== undefined &&
    shared.folders.some((folder) => context.parentURL?.startsWith(folder));
  if (fromFolder && packageOf(specifier)) {
    return next(specifier, { ...context, parentURL: shared.resolveFrom });
  }
  return next(specifier, context);
}
