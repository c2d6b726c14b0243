/**
 * `npm run build` produces a dist/ that plain node runs (the container image runs it without tsx):
 * every compiled module resolves its imports, JSON imports work, and the files read at run time
 * (Lua scripts, JSON Schemas) are next to the code that reads them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { buildDist, runtimeAssets } from '../../../scripts/build-dist.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
// Inside the repository, so compiled modules find node_modules/ and package.json's "type".
const OUT_DIR = path.join('.infra', 'build-test', 'dist');
const out = path.join(REPO_ROOT, OUT_DIR);

function compiledModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Runs an ES module snippet with plain node: no tsx loader, from the repository root. */
function runNode(source: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('production build (npm run build)', function () {
  // tsc over the whole runtime code takes a while on a shared 2-core machine.
  this.timeout(10 * 60_000);

  before(async () => {
    await buildDist(OUT_DIR);
  });

  after(() => rmSync(path.dirname(out), { recursive: true, force: true }));

  it('copies every runtime asset, byte for byte, including the Lua scripts and JSON Schemas', () => {
    const assets = runtimeAssets();
    expect(
      assets.filter(
        (a) => a.startsWith(path.join('orchestrator', 'store', 'scripts')) && a.endsWith('.lua'),
      ),
    ).to.have.length.at.least(7);
    expect(
      assets.filter((a) => a.startsWith(path.join('wire', 'contract', 'schemas'))),
    ).to.have.length.at.least(4);
    for (const asset of assets) {
      const copy = path.join(out, asset);
      expect(existsSync(copy), asset).to.equal(true);
      expect(readFileSync(copy).equals(readFileSync(path.join(REPO_ROOT, asset))), asset).to.equal(
        true,
      );
    }
  });

  it('bundles the operator console into console/: index.html and the hashed assets it loads', () => {
    const page = readFileSync(path.join(out, 'console', 'index.html'), 'utf8');
    const loaded = [...page.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+)"/gu)].map((m) => m[1]!);
    expect(loaded.some((file) => file.endsWith('.js'))).to.equal(true);
    expect(loaded.some((file) => file.endsWith('.css'))).to.equal(true);
    for (const file of loaded)
      expect(existsSync(path.join(out, 'console', file)), file).to.equal(true);
    // The browser sources are bundled, not compiled or copied next to the server code.
    expect(existsSync(path.join(out, 'orchestrator', 'console', 'app'))).to.equal(false);
  });

  it('compiles no test code and leaves no TypeScript behind', () => {
    const files = readdirSync(out, { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => f.endsWith('.ts'))).to.deep.equal([]);
    expect(files.filter((f) => f.startsWith('test'))).to.deep.equal([]);
    expect(files).to.include(path.join('orchestrator', 'config', 'load-config.js'));
  });

  it('writes a package.json whose exports are the compiled entry points, resolvable by name', () => {
    const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as {
      name: string;
      type: string;
      exports: Record<string, string>;
    };
    expect(pkg).to.include({ name: 'saga-orchestrator', type: 'module' });
    expect(pkg.exports).to.include({
      './definitions': './orchestrator/entry-points/definitions.js',
      './testing': './orchestrator/entry-points/testing.js',
      './participant': './participants/sdk/index.js',
    });
    for (const target of Object.values(pkg.exports)) {
      expect(existsSync(path.join(out, target)), target).to.equal(true);
    }
    // A compiled module of the build imports the package by its own name (self-reference).
    const result = runNode(`
      const { createRequire } = await import('node:module');
      const entry = createRequire(${JSON.stringify(path.join(out, 'orchestrator', 'main.js'))})
        .resolve('saga-orchestrator/definitions');
      const definitions = await import(entry);
      console.log(JSON.stringify({ entry, createSagaKit: typeof definitions.createSagaKit }));
    `);
    expect(result.stderr).to.equal('');
    expect(JSON.parse(result.stdout)).to.deep.equal({
      entry: path.join(out, 'orchestrator', 'entry-points', 'definitions.js'),
      createSagaKit: 'function',
    });
  });

  it('imports every compiled module with plain node (entry points aside)', () => {
    // main.js files start a process when imported; they are not libraries. console/ holds the
    // browser bundle, which needs a DOM.
    const browserBundle = path.join(out, 'console') + path.sep;
    const modules = compiledModules(out).filter(
      (file) => path.basename(file) !== 'main.js' && !file.startsWith(browserBundle),
    );
    expect(modules.length).to.be.greaterThan(50);
    const source = `
      const files = ${JSON.stringify(modules)};
      for (const file of files) await import(new URL('file://' + file).href);
      console.log('imported ' + files.length);
    `;
    const result = runNode(source);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    expect(result.stdout.trim()).to.equal(`imported ${modules.length}`);
  });

  it('validates messages with the compiled JSON Schemas, and loads sagas and Lua scripts from dist/', () => {
    const result = runNode(`
      import { Redis } from 'ioredis';
      const dist = ${JSON.stringify(out)};
      const { parseCommand } = await import(dist + '/wire/contract/validate.js');
      const fixture = JSON.parse(
        (await import('node:fs')).readFileSync(dist + '/wire/contract/fixtures/v1/command.json', 'utf8'));
      const good = parseCommand(JSON.stringify(fixture));
      const bad = parseCommand(JSON.stringify({ ...fixture, attempt: 'first' }));
      const loader = await import(dist + '/orchestrator/runtime/load-definitions.js');
      const sagas = await loader.loadDefinitionsFromDir(loader.BUILT_IN_SAGAS_DIR);
      const { defineScripts } = await import(dist + '/orchestrator/store/scripts.js');
      // A client that never connects: defining commands reads the Lua files but sends nothing.
      const redis = new Redis({ lazyConnect: true });
      defineScripts(redis);
      console.log(JSON.stringify({
        good: good.ok, bad: bad.ok, sagasDir: loader.BUILT_IN_SAGAS_DIR,
        sagas: sagas.map((s) => s.type), applyStep: typeof redis.sagaStore_applyStep,
      }));
      redis.disconnect();
    `);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).to.deep.equal({
      good: true,
      bad: false,
      sagasDir: path.join(out, 'sagas'),
      sagas: ['order'],
      applyStep: 'function',
    });
  });
});
