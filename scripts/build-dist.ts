/**
 * The production build (`npm run build`): compiles the runtime code (wire/, orchestrator/,
 * sagas/, participants/) with tsc into `dist/`, then copies the files the code loads at run time that tsc
 * does not emit (Lua scripts, JSON Schemas, and any other non-TypeScript file of those folders), so
 * that `node dist/orchestrator/main.js` runs without tsx.
 *
 *   npm run build                            # into dist/
 *   npx tsx scripts/build-dist.ts --out-dir .infra/some-dir
 *
 * The out dir must sit inside the repository: compiled modules find `node_modules/` by walking up
 * from their own folder.
 *
 * It also writes `<out>/package.json`: the package's name, `"type": "module"` and its `exports`
 * pointing at the compiled `.js` files. The repository's package.json points them at the `.ts`
 * sources (what tsx and a type checker read); inside the build, the nearest package.json is this
 * one, so `saga-orchestrator/definitions` resolves to compiled code there (the orchestrator
 * resolves an outside definition folder's imports from its own location: runtime/shared-imports).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildConsole } from './build-console.js';

/** Folders compiled into the build; the same list as `include` in tsconfig.build.json. */
export const SOURCE_ROOTS = ['wire', 'orchestrator', 'sagas', 'participants'] as const;

/** Files that are source or documentation, never loaded at run time. */
const NOT_RUNTIME = /\.(ts|md)$/u;

/** The console's browser sources: bundled into `<out>/console/`, not copied (buildConsole). */
const BROWSER_SOURCES = path.join('orchestrator', 'console', 'app');

const repoRoot = path.resolve(import.meta.dirname, '..');

/** Every non-TypeScript file under the source roots, relative to the repository root. */
export function runtimeAssets(root: string = repoRoot): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (child !== BROWSER_SOURCES) walk(child);
      } else if (entry.isFile() && !NOT_RUNTIME.test(entry.name)) found.push(child);
    }
  };
  for (const source of SOURCE_ROOTS) {
    try {
      walk(source);
    } catch (error) {
      // A root that does not exist yet (participants/ before the SDK lands) has no assets.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found.sort();
}

interface PackageJson {
  name: string;
  version: string;
  exports?: Record<string, string>;
}

/** The build's package.json: the repository's entry points, compiled. */
export function distPackageJson(root: string = repoRoot): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const exports = Object.fromEntries(
    Object.entries(pkg.exports ?? {})
      .filter(([, target]) => target.endsWith('.ts'))
      .map(([entry, target]) => [entry, target.replace(/\.ts$/u, '.js')]),
  );
  exports['./package.json'] = './package.json';
  return { name: pkg.name, version: pkg.version, private: true, type: 'module', exports };
}

/**
 * Cleans `outDir`, compiles into it, copies the runtime assets and bundles the console into
 * `<outDir>/console`; throws when tsc or the bundler fails.
 */
export async function buildDist(outDir: string): Promise<{ assets: string[] }> {
  const target = path.resolve(repoRoot, outDir);
  if (!target.startsWith(repoRoot + path.sep)) {
    throw new Error(`the out dir must be inside the repository (${repoRoot}), got ${target}`);
  }
  rmSync(target, { recursive: true, force: true });
  const tsc = path.join(
    path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(repoRoot, 'tsconfig.build.json'), '--outDir', target],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`tsc failed (exit code ${result.status})`);
  const assets = runtimeAssets();
  for (const asset of assets) {
    mkdirSync(path.dirname(path.join(target, asset)), { recursive: true });
    copyFileSync(path.join(repoRoot, asset), path.join(target, asset));
  }
  writeFileSync(
    path.join(target, 'package.json'),
    `${JSON.stringify(distPackageJson(), null, 2)}\n`,
  );
  await buildConsole(path.join(target, 'console'));
  return { assets };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
  try {
    const { assets } = await buildDist(values['out-dir']);
    console.log(
      `built ${values['out-dir']}/ (${assets.length} runtime assets copied, console in console/)`,
    );
  } catch (error) {
    console.error(`build failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
