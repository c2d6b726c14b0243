/**
 * A saga definition kept outside the repository — a folder in the system temp dir with its own
 * package.json, importing only `saga-orchestrator/definitions` and `xstate` — runs in the real
 * orchestrator process through SAGA_DEFINITIONS_DIR: from source as `npm start` runs it (tsx, the
 * definition in TypeScript) and from the production build with plain node (the definition
 * compiled to JavaScript, as the image mounts it). A saga of its type starts through the HTTP API
 * and its first command reaches the participant's topic.
 *
 * The folder also holds a `node_modules/` with decoy `xstate` and `saga-orchestrator` packages
 * that throw when imported (an architect installs both for type checking): the definition must
 * get the orchestrator's own copies, never a second one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { topicNames } from '../../wire/contract/index.js';
import { buildDist } from '../../scripts/build-dist.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { groupJoined, useInfra, type TestInfra } from '../support/infra.js';
import {
  orchestratorEnv,
  spawnOrchestrator,
  type OrchestratorProcess,
} from './support/orchestrator-process.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

const INPUT_SCHEMA = `{
  type: 'object',
  required: ['accountId', 'amount'],
  additionalProperties: false,
  properties: { accountId: { type: 'string' }, amount: { type: 'number', exclusiveMinimum: 0 } },
}`;

/** The refund saga as an architect writes it in their own repository (TypeScript). */
const REFUND_TS = {
  'refund/machine.ts': `
import { createSagaKit } from 'saga-orchestrator/definitions';
import { emit } from 'xstate';

export interface RefundInput { accountId: string; amount: number }

const kit = createSagaKit<RefundInput>();

export const machine = kit.setup.createMachine({
  id: 'refund',
  context: kit.initialContext,
  initial: 'creditAccount',
  on: kit.signals,
  states: {
    creditAccount: {
      ...kit.step({
        name: 'creditAccount',
        participant: 'ledger',
        command: 'CreditAccount',
        timeoutMs: 60_000,
        payload: ({ input }) => ({ accountId: input.accountId, amount: input.amount }),
      }),
      onDone: { target: 'completed', actions: emit({ type: 'RefundCredited' }) },
    },
    ...kit.endStates,
  },
});
`,
  'refund/index.ts': `
import { defineSaga } from 'saga-orchestrator/definitions';
import { machine, type RefundInput } from './machine.js';

export default defineSaga<RefundInput>({
  type: 'refund',
  version: '1',
  machine,
  input: { schema: ${INPUT_SCHEMA} },
});
`,
};

/** The same saga compiled to JavaScript (what a built image mounts). */
const REFUND_JS = {
  'refund/index.js': `
import { createSagaKit, defineSaga } from 'saga-orchestrator/definitions';
import { emit } from 'xstate';

const kit = createSagaKit();
const machine = kit.setup.createMachine({
  id: 'refund',
  context: kit.initialContext,
  initial: 'creditAccount',
  on: kit.signals,
  states: {
    creditAccount: {
      ...kit.step({
        name: 'creditAccount',
        participant: 'ledger',
        command: 'CreditAccount',
        timeoutMs: 60_000,
        payload: ({ input }) => ({ accountId: input.accountId, amount: input.amount }),
      }),
      onDone: { target: 'completed', actions: emit({ type: 'RefundCredited' }) },
    },
    ...kit.endStates,
  },
});

export default defineSaga({ type: 'refund', version: '1', machine, input: { schema: ${INPUT_SCHEMA} } });
`,
};

/** A package that fails the import: only reached when the orchestrator's copy is not used. */
function decoyPackage(root: string, name: string): void {
  const dir = path.join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '0.0.0',
      type: 'module',
      exports: { '.': './index.js', './*': './index.js' },
    }),
  );
  writeFileSync(
    path.join(dir, 'index.js'),
    `throw new Error('the definition folder loaded its own ${name}, not the orchestrator\\'s');\n`,
  );
}

/** `<tmp>/my-sagas/` with package.json, decoy node_modules and `definitions/<files>`. */
function writeDefinitionRepo(files: Record<string, string>): { root: string; definitions: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'my-sagas-'));
  expect(root.startsWith(REPO_ROOT), 'the folder must be outside the repository').to.equal(false);
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'my-sagas', private: true, type: 'module' }),
  );
  decoyPackage(root, 'xstate');
  decoyPackage(root, 'saga-orchestrator');
  const definitions = path.join(root, 'definitions');
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(definitions, file)), { recursive: true });
    writeFileSync(path.join(definitions, file), source);
  }
  return { root, definitions };
}

interface CommandSeen {
  sagaId: string | undefined;
  command: string | undefined;
  payload: unknown;
}

/** Starts a refund saga over HTTP and waits for its command on the ledger's topic. */
async function startRefundAndSeeCommand(
  infra: TestInfra,
  orchestrator: OrchestratorProcess,
  port: number,
  sagaTypes: string[],
): Promise<void> {
  const ready = await orchestrator.ready;
  expect(ready.sagaTypes).to.deep.equal(sagaTypes);

  const seen: CommandSeen[] = [];
  const consumer = await infra.consumer();
  await consumer.subscribe({
    topic: topicNames(infra.prefix).commands('ledger'),
    fromBeginning: true,
  });
  const joined = groupJoined(consumer);
  await consumer.run({
    eachMessage: async ({ message }) => {
      const body = JSON.parse(message.value?.toString('utf8') ?? '{}') as Record<string, unknown>;
      seen.push({
        sagaId: body.sagaId as string | undefined,
        command: body.type as string | undefined,
        payload: body.payload,
      });
    },
  });
  await joined;

  const api = apiClient(`http://127.0.0.1:${port}`);
  const started = await api.post<{ id: string; type: string }>('/v1/sagas', {
    type: 'refund',
    input: { accountId: 'acc-7', amount: 12.5 },
  });
  expect(started.status, started.text).to.equal(201);
  const sagaId = started.body.id;

  const command = await eventually(
    'the refund saga’s first command on the ledger topic',
    async () => {
      orchestrator.assertRunning();
      return seen.find((c) => c.sagaId === sagaId);
    },
    30_000,
  );
  expect(command).to.deep.equal({
    sagaId,
    command: 'CreditAccount',
    payload: { accountId: 'acc-7', amount: 12.5 },
  });
  const view = await api.get<{ type: string; status: string; state: string }>(
    `/v1/sagas/${sagaId}`,
  );
  expect(view.body).to.include({ type: 'refund', status: 'running' });
  expect(view.body.state).to.contain('creditAccount');
}

/** Kills what a describe spawned and removes what it wrote, after its tests. */
function useCleanups(): { processes: OrchestratorProcess[]; cleanups: Array<() => void> } {
  const processes: OrchestratorProcess[] = [];
  const cleanups: Array<() => void> = [];
  after(async function () {
    this.timeout(60_000);
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    for (const cleanup of cleanups) cleanup();
  });
  return { processes, cleanups };
}

describe('a definition folder outside the repository, through SAGA_DEFINITIONS_DIR (real Kafka and Redis)', function () {
  this.timeout(5 * 60_000);

  describe('with npm start (tsx)', () => {
    const { processes, cleanups } = useCleanups();
    const infra = useInfra('external-definitions-src');

    it('loads the TypeScript definition and runs a saga of its type, only it with SAGA_TYPES', async () => {
      const { root, definitions } = writeDefinitionRepo(REFUND_TS);
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const port = await freePort();
      const orchestrator = spawnOrchestrator({
        ...orchestratorEnv(infra.prefix, port),
        SAGA_DEFINITIONS_DIR: definitions,
        SAGA_TYPES: 'refund',
        // Longer than the refund's 60 s step deadline allows (issue 12 item 3): a loud line.
        KAFKA_SESSION_TIMEOUT: '45s',
      });
      processes.push(orchestrator);
      await startRefundAndSeeCommand(infra, orchestrator, port, ['refund']);
      const warnings = orchestrator
        .stderr()
        .split('\n')
        .filter((line) => line.includes('"sessionTimeoutMs"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.include({
        level: 'warn',
        sagaType: 'refund',
        kind: 'step',
        name: 'creditAccount',
        deadlineMs: 60_000,
        sessionTimeoutMs: 45_000,
      });
      expect(warnings[0]?.msg).to.contain(
        'saga refund v1: step "creditAccount" has a 60000 ms deadline',
      );
    });

    it('stops at start-up when SAGA_TYPES names a type no definition has, listing the loaded ones', async () => {
      const { root, definitions } = writeDefinitionRepo(REFUND_TS);
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const orchestrator = spawnOrchestrator({
        ...orchestratorEnv(infra.prefix, await freePort()),
        SAGA_DEFINITIONS_DIR: definitions,
        SAGA_TYPES: 'refund,refnud',
      });
      processes.push(orchestrator);
      expect(await orchestrator.exited).to.deep.equal({ code: 1, signal: null });
      expect(orchestrator.stderr()).to.contain(
        'SAGA_TYPES names saga types that no loaded definition has: refnud (loaded: order, refund)',
      );
    });
  });

  describe('from the production build with plain node', () => {
    const { processes, cleanups } = useCleanups();
    const infra = useInfra('external-definitions-dist');
    const outDir = path.join('.infra', 'external-definitions-e2e', 'dist');

    before(async function () {
      // tsc over the runtime code takes a while on a shared machine.
      this.timeout(5 * 60_000);
      await buildDist(outDir);
      cleanups.push(() =>
        rmSync(path.join(REPO_ROOT, path.dirname(outDir)), { recursive: true, force: true }),
      );
    });

    it('loads the JavaScript definition and runs a saga of its type, beside the built-in ones', async () => {
      const { root, definitions } = writeDefinitionRepo(REFUND_JS);
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const port = await freePort();
      const orchestrator = spawnOrchestrator(
        {
          ...orchestratorEnv(infra.prefix, port),
          SAGA_DEFINITIONS_DIR: definitions,
          // Plain node: no tsx loader inherited from the test runner.
          NODE_OPTIONS: '',
        },
        [path.join(REPO_ROOT, outDir, 'orchestrator', 'main.js')],
      );
      processes.push(orchestrator);
      // SAGA_TYPES unset: every loaded definition runs, the built-in order saga included.
      await startRefundAndSeeCommand(infra, orchestrator, port, ['order', 'refund']);
    });
  });
});
