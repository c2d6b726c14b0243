/**
 * The workers run from plain JavaScript transpiled here (TypeScript's `transpileModule`, no type
 * check, a few seconds), not through tsx: tsx minifies whitespace, so every frame of a CPU
 * profile would sit on line 1 of its file. Transpiled code keeps the source's lines, so the
 * profile names real `file:line`s. The code that runs is the same either way.
 *
 * The output mirrors the source folders under `outDir` with their Lua scripts and JSON schemas,
 * a `package.json` that makes `.js` ES modules, and a `node_modules` link back to the project's.
 */
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const SOURCE_DIRS = ['wire', 'orchestrator', 'participants', 'sagas', 'bench'];
const ASSETS = /\.(lua|json)$/;

/** Transpiles the runtime and the bench into `outDir`; returns the worker entry point. */
export async function compileSources(root: string, outDir: string): Promise<string> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const dir of SOURCE_DIRS) {
    for (const file of await listFiles(path.join(root, dir))) {
      const relative = path.relative(root, file);
      if (relative.startsWith(path.join('bench', 'results'))) continue;
      const target = path.join(outDir, relative);
      await mkdir(path.dirname(target), { recursive: true });
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const source = await readFile(file, 'utf8');
        const { outputText } = ts.transpileModule(source, {
          fileName: file,
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            verbatimModuleSyntax: true,
          },
        });
        await writeFile(target.replace(/\.ts$/, '.js'), outputText);
      } else if (ASSETS.test(file)) {
        await cp(file, target);
      }
    }
  }
  await writeFile(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  await symlink(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  return path.join(outDir, 'bench', 'workers', 'worker-main.js');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry): Promise<string[]> => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listFiles(full);
      return [full];
    }),
  );
  return files.flat();
}
