/**
 * Builds the operator console (`npm run build:console`): bundles the browser app
 * (orchestrator/console/app/main.ts, with preact, htm and elkjs) with esbuild into
 * `<out>/assets/` under content-hashed names, and writes `<out>/index.html` loading them. The
 * orchestrator serves the result at `/ui` (orchestrator/console/index.ts). `npm run build` runs
 * it into `dist/console/`.
 *
 *   npm run build:console                       # into dist/console/
 *   npx tsx scripts/build-console.ts --out-dir .infra/console
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const repoRoot = path.resolve(import.meta.dirname, '..');
const ENTRY = path.join(repoRoot, 'orchestrator/console/app/main.ts');

export interface ConsoleBuild {
  /** The files written, relative to the out dir, with their size in bytes. */
  files: Array<{ file: string; bytes: number }>;
}

/** The page: no inline script or style, so helmet's default CSP (same origin) allows it. */
function indexHtml(script: string, styles: string[]): string {
  const links = styles.map((href) => `    <link rel="stylesheet" href="/ui/${href}">`).join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Saga console</title>
    <link rel="icon" href="data:,">
${links}
    <script type="module" src="/ui/${script}"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`;
}

/** Cleans `outDir` and builds the console into it. */
export async function buildConsole(outDir: string): Promise<ConsoleBuild> {
  const target = path.resolve(repoRoot, outDir);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    outdir: target,
    // elkjs is loaded only by the saga page (a dynamic import): a chunk of its own.
    splitting: true,
    entryNames: 'assets/[name]-[hash]',
    chunkNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) =>
    path.relative(target, path.resolve(repoRoot, file)),
  );
  const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint);
  const script = entry && path.relative(target, path.resolve(repoRoot, entry[0]));
  if (!script) throw new Error('esbuild wrote no script');
  const styles = outputs.filter((file) => file.endsWith('.css') && !file.endsWith('.map'));
  writeFileSync(path.join(target, 'index.html'), indexHtml(script, styles));
  const files = [...outputs, 'index.html']
    .filter((file) => !file.endsWith('.map'))
    .map((file) => ({ file, bytes: statSync(path.join(target, file)).size }));
  return { files };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({
    options: { 'out-dir': { type: 'string', default: 'dist/console' } },
  });
  buildConsole(values['out-dir']).then(
    ({ files }) => {
      for (const { file, bytes } of files)
        console.log(`  ${file}  ${(bytes / 1024).toFixed(1)} kB`);
      console.log(`built ${values['out-dir']}/`);
    },
    (error: unknown) => {
      console.error(`console build failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
