/**
 * `saga definitions check <dir>` as an author runs it, offline (no API, no Kafka, no Redis): the
 * `saga` binary on temporary folders of definitions written outside the repository.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { checkDefinition, hasErrors } from '../../orchestrator/engine/lint/index.js';
import { loadDefinitionsFromDir } from '../../orchestrator/runtime/load-definitions.js';
import { runToEnd, type Run } from '../support/run-to-end.js';

const BIN = fileURLToPath(new URL('../../cli/bin/saga.js', import.meta.url));
const ENGINE = pathToFileURL(
  fileURLToPath(new URL('../../orchestrator/engine/index.js', import.meta.url)),
).href;

/** A one-step refund saga; `step` is spliced into kit.step({ … }), `extra` into the root states. */
function refundSource(step: string, extra = ''): string {
  return `
import { createSagaKit, defineSaga } from '${ENGINE}';
const kit = createSagaKit<{ id: string }>();
const machine = kit.setup.createMachine({
  id: 'refund',
  context: kit.initialContext,
  initial: 'credit',
  on: kit.signals,
  states: {
    credit: {
      ...kit.step({
        name: 'credit', participant: 'ledger', command: 'Credit', timeoutMs: 1000,
        payload: ({ input }) => ({ id: input.id }),
        ${step}
      }),
      onDone: 'completed',
    },
    ${extra}
    ...kit.endStates,
  },
});
export default defineSaga<{ id: string }>({ type: 'refund', version: '1', machine, input: { schema: { type: 'object' } } });
`;
}

const COMPENSATED = `compensation: { command: 'Debit', payload: ({ input }) => ({ id: input.id }) },`;

describe('CLI: saga definitions check <dir> (offline)', function () {
  this.timeout(60_000);
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'saga-check-'));
    // An author's repository is an ES module package, like this one.
    writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A folder holding one definition folder `refund/index.ts` with `source`. */
  function folderWith(name: string, source: string): string {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, 'refund'), { recursive: true });
    writeFileSync(path.join(dir, 'refund', 'index.ts'), source);
    return dir;
  }

  function saga(args: string[]): Promise<Run> {
    // No SAGA_API_URL: the check must not need the API.
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return runToEnd(child);
  }

  it('rejects a definition with a step missing its compensation: exit 6, the finding printed', async () => {
    const dir = folderWith('missing-compensation', refundSource(''));
    const run = await saga(['definitions', 'check', dir]);
    expect(run.code, run.stderr).to.equal(6);
    expect(run.stdout).to.match(/^refund v1: \d+ error\(s\), 0 warning\(s\)/);
    expect(run.stdout).to.match(
      /error +step-compensation +refund\.credit\n +step "credit" \(ledger\.Credit\) has no compensation/,
    );
  });

  it('a compensated definition: the same findings as checkDefinition, exit 0 unless one is an error', async () => {
    const dir = folderWith('good', refundSource(COMPENSATED));
    const [definition] = await loadDefinitionsFromDir(dir);
    if (!definition) throw new Error('the folder did not load');
    const expected = checkDefinition(definition);
    const run = await saga(['definitions', 'check', dir, '--json']);
    expect(run.code, run.stderr).to.equal(hasErrors(expected) ? 6 : 0);
    const printed = JSON.parse(run.stdout) as {
      definitions: { type: string; findings: unknown[] }[];
    };
    expect(printed.definitions).to.deep.equal([
      { type: 'refund', version: '1', findings: expected },
    ]);
    // Only the kit's step deadline can be an error here (numeric until it is named).
    expect(expected.every((f) => f.rule === 'timer-named')).to.equal(true);
  });

  it('a warning alone does not fail the check: exit 0', async () => {
    // No kit step (so no step deadline): a saga that only waits for a signal, with no deadline.
    const source = `
import { createSagaKit, defineSaga } from '${ENGINE}';
const kit = createSagaKit<{ id: string }>();
const machine = kit.setup.createMachine({
  id: 'refund', context: kit.initialContext, initial: 'waiting', on: kit.signals,
  states: { waiting: { on: { 'refund.go': 'completed' } }, ...kit.endStates },
});
export default defineSaga<{ id: string }>({ type: 'refund', version: '1', machine, input: { schema: { type: 'object' } } });
`;
    const run = await saga(['definitions', 'check', folderWith('warning', source)]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^refund v1: 0 error\(s\), 1 warning\(s\)/);
    expect(run.stdout).to.match(/warning +wait-without-deadline +refund\.waiting/);
  });

  it('a folder whose definition does not load (a signal targets a missing state): exit 6, why on stderr', async () => {
    const dir = folderWith(
      'broken',
      refundSource(COMPENSATED, `waiting: { on: { 'refund.go': '#nowhere' } },`),
    );
    const run = await saga(['definitions', 'check', dir]);
    expect(run.code).to.equal(6);
    expect(run.stderr).to.match(/^error: cannot load the definitions of .*broken: .*nowhere/);
  });

  it('a folder that does not exist: exit 6', async () => {
    const run = await saga(['definitions', 'check', path.join(root, 'absent')]);
    expect(run.code).to.equal(6);
    expect(run.stderr).to.contain('saga definitions folder does not exist');
  });
});
