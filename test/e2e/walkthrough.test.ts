/**
 * The README's "write your own saga" walkthrough (docs/walkthrough/README.md), as a newcomer runs
 * it: the `transfer` saga in a folder outside the repository that imports only
 * `saga-orchestrator/definitions`, loaded by the orchestrator process (`npm start`'s
 * `orchestrator/main.ts`) through SAGA_DEFINITIONS_DIR with SAGA_TYPES=transfer, and its `ledger`
 * participant written in Python with a plain Kafka client (kafka-python), from the wire contract
 * alone. Real Kafka and Redis.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { infraEndpoints, useInfra } from '../support/infra.js';
import { orchestratorEnv, spawnOrchestrator } from './support/orchestrator-process.js';
import { freePort } from '../support/free-port.js';

const root = path.resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3'; // Debian's, which sees Debian's python3-kafka

interface SagaBody {
  id: string;
  status: string;
  state: string;
  context: { failure?: { code?: string } };
}

/** The Python participant as a child process, with the JSON lines it printed. */
function spawnLedger(prefix: string) {
  const child: ChildProcessWithoutNullStreams = spawn(
    PYTHON,
    [
      path.join(root, 'docs/walkthrough/ledger_participant.py'),
      '--brokers',
      infraEndpoints().brokers.join(','),
      '--prefix',
      prefix,
      '--accounts',
      'alice=100,bob=0',
      '--frozen',
      'carol',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const complete = stdout.split('\n');
    stdout = complete.pop() ?? '';
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as never);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, lines, exited, stderr: () => stderr };
}

describe('walkthrough: your own saga from a folder outside the repository, with a Python participant', function () {
  this.timeout(180_000);
  const infra = useInfra('walkthrough');
  const cleanups: (() => void | Promise<unknown>)[] = [];
  after(async function () {
    this.timeout(30_000);
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('runs transfers to completion and compensates a refused credit', async () => {
    // The definition folder, copied where no node_modules of the project can be found.
    const outside = mkdtempSync(path.join(tmpdir(), 'my-sagas-'));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    cpSync(path.join(root, 'docs/walkthrough/sagas'), outside, { recursive: true });

    const port = await freePort();
    const orchestrator = spawnOrchestrator({
      ...orchestratorEnv(infra.prefix, port),
      SAGA_DEFINITIONS_DIR: outside,
      SAGA_TYPES: 'transfer',
    });
    cleanups.push(async () => {
      orchestrator.kill('SIGKILL');
      await orchestrator.exited;
    });
    const ready = await orchestrator.ready;
    expect(ready.sagaTypes).to.deep.equal(['transfer']);

    const ledger = spawnLedger(infra.prefix);
    cleanups.push(async () => {
      ledger.child.kill('SIGKILL');
      await ledger.exited;
    });
    await eventually(
      'the Python participant to join its group',
      async () => (ledger.lines.some((l) => l.event === 'ready') ? true : undefined),
      60_000,
    );

    const api = apiClient(`http://127.0.0.1:${port}`);
    const transfers = [
      { transferId: 't-ok', from: 'alice', to: 'bob', amount: 30 },
      { transferId: 't-frozen', from: 'alice', to: 'carol', amount: 20 },
      { transferId: 't-broke', from: 'bob', to: 'alice', amount: 500 },
    ];
    for (const input of transfers) {
      const started = await api.post<SagaBody>('/v1/sagas', {
        type: 'transfer',
        id: input.transferId,
        input,
      });
      expect(started.status, started.text).to.equal(201);
    }
    const ended = await Promise.all(
      transfers.map(async ({ transferId }) => {
        const result = await api.get<{ done: boolean; saga: SagaBody }>(
          `/v1/sagas/${transferId}/result?timeoutMs=30000`,
        );
        const { saga } = result.body;
        return [transferId, saga.status, saga.context.failure?.code];
      }),
    );
    expect(ended).to.deep.equal([
      ['t-ok', 'completed', undefined],
      ['t-frozen', 'compensated', 'ACCOUNT_FROZEN'],
      ['t-broke', 'compensated', 'INSUFFICIENT_FUNDS'],
    ]);

    // The participant's own books: the frozen transfer's debit was refunded, nothing else moved.
    ledger.child.kill('SIGTERM');
    expect(await ledger.exited, ledger.stderr()).to.equal(0);
    const stopped = ledger.lines.find((l) => l.event === 'stopped');
    expect(stopped?.balances).to.deep.equal({ alice: 70, bob: 30 });
    const handled = ledger.lines.filter((l) => l.event === 'handled').map((l) => l.type);
    expect(handled.sort()).to.deep.equal(['Credit', 'Credit', 'Debit', 'Debit', 'Debit', 'Refund']);
  });
});
