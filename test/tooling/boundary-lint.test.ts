/**
 * The boundaries between rooms are linted (dependency-cruiser, .dependency-cruiser.cjs, run by
 * `npm run lint`): this writes probe files that break a rule, runs the same command on them and
 * shows it fails naming the rule, then removes them. The probes are real files next to the code,
 * since the rules are about where a file is.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');

/** A broken rule as the lint reports it: `error <rule>: <from> → <to>`. */
interface Violation {
  rule: string;
  from: string;
  to: string;
}

/**
 * Lints `files` with the project's boundary rules, as `npm run lint` does (the `err` reporter,
 * whose exit status is the number of errors): the status and the violations it printed.
 */
function lintBoundaries(files: string[]): { status: number | null; violations: Violation[] } {
  const run = spawnSync(
    depcruise,
    [...files, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    { cwd: root, encoding: 'utf8' },
  );
  const violations = [...run.stdout.matchAll(/^\s*error ([\w-]+): (\S+) → (\S+)$/gmu)].map(
    ([, rule, from, to]) => ({ rule: rule!, from: from!, to: to! }),
  );
  return { status: run.status, violations };
}

async function withProbe<T>(
  folder: string,
  source: string,
  check: (probe: string) => T,
): Promise<T> {
  const probe = path.join(folder, `lint-probe-${randomBytes(4).toString('hex')}.ts`);
  await writeFile(path.join(root, probe), source);
  try {
    return check(probe);
  } finally {
    await rm(path.join(root, probe), { force: true });
  }
}

describe('lint: room boundaries (dependency-cruiser)', function () {
  this.timeout(60_000);

  it('rejects an SDK file that imports orchestrator/', async () => {
    const { status, violations } = await withProbe(
      'participants/sdk',
      "export { createEngine } from '../../orchestrator/engine/index.js';\n",
      (probe) => lintBoundaries([probe]),
    );
    expect(status).to.not.equal(0);
    expect(violations.map((v) => v.rule)).to.include('sdk-stands-on-wire-only');
  });

  it('rejects wire/ importing the orchestrator, and a deep import past a room’s index', async () => {
    const wire = await withProbe(
      'wire/kafka',
      "export { createSagaStore } from '../../orchestrator/store/index.js';\n",
      (probe) => lintBoundaries([probe]),
    );
    expect(wire.status).to.not.equal(0);
    expect(wire.violations.map((v) => v.rule)).to.include('wire-is-the-ground-floor');

    const deep = await withProbe(
      'orchestrator/api',
      "export { SagaStoreError } from '../store/errors.js';\n",
      (probe) => lintBoundaries([probe]),
    );
    expect(deep.status).to.not.equal(0);
    expect(deep.violations).to.have.length(1);
    expect(deep.violations[0]).to.include({
      rule: 'through-the-index',
      to: 'orchestrator/store/errors.ts',
    });
  });

  it('rejects an arrow that runs back up (the store importing the runtime)', async () => {
    const { violations } = await withProbe(
      'orchestrator/store',
      "export { createOrchestrator } from '../runtime/index.js';\n",
      (probe) => lintBoundaries([probe]),
    );
    expect(violations.map((v) => v.rule)).to.include('no-arrow-back-up');
  });

  it('passes on the tree as it is (and on the same import through the index)', async () => {
    const { status, violations } = await withProbe(
      'orchestrator/api',
      "export { SagaStoreError } from '../store/index.js';\n",
      (probe) => lintBoundaries(['wire', 'orchestrator', 'participants', 'sagas', probe]),
    );
    expect(violations).to.deep.equal([]);
    expect(status).to.equal(0);
  });
});
