/**
 * `saga definitions migrate` as an operator runs it (issue 15), against an orchestrator running
 * v1 and v2 of the order saga side by side (in this process, on real Kafka and Redis, with the
 * example participants): the dry run's table, the apply's exit code when a saga stays, the
 * read-only token refused, and the moved saga finishing on v2.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { SagaView } from '../../orchestrator/api/index.js';
import type { MigrationResult } from '../../cli/api-client.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { eventually } from '../support/api-client.js';
import { createOrderSagaV2 } from '../support/order-saga-v2.js';
import { orderInput } from '../support/orders.js';
import { runToEnd, type Run } from '../support/run-to-end.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../support/system.js';

const BIN = fileURLToPath(new URL('../../cli/bin/saga.js', import.meta.url));
const TOKEN = 'cli-migrate-token';
const READ_TOKEN = 'cli-migrate-read-token';
const timings = { ...TEST_ORDER_TIMINGS, stepTimeoutMs: 120_000 };

describe('CLI: saga definitions migrate (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const sut = useSystem('cli-migrate', {
    api: { apiToken: TOKEN, readToken: READ_TOKEN },
    definitions: [createOrderSaga(timings), createOrderSagaV2(timings)],
    startVersions: { order: '1' },
  });

  function saga(args: string[], token = TOKEN): Promise<Run> {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        SAGA_API_URL: sut.system.apiUrl ?? '',
        SAGA_API_TOKEN: token,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return runToEnd(child);
  }

  async function startedIn(amount: number, state: string): Promise<string> {
    const run = await saga(['start', 'order', JSON.stringify(orderInput({ amount })), '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const { id } = JSON.parse(run.stdout) as SagaView;
    await eventually(`saga ${id} to reach ${state}`, async () => {
      const got = await saga(['get', id, '--json']);
      return (JSON.parse(got.stdout) as SagaView).state === state ? true : undefined;
    });
    return id;
  }

  it('dry run lists who would move and who cannot; the apply moves them and exits 8 for the one left', async () => {
    const waiting = await startedIn(30_000, 'awaitingApproval');
    await sut.system.participants?.shipping.stop();
    const inStep = await startedIn(100, 'confirmOrder.attempting');
    const migrate = ['definitions', 'migrate', '--type', 'order', '--from', '1', '--to', '2'];
    const listed = await saga(['definitions']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/order\s+│ 1 \(runs 1, 2\)/);

    const dryRun = await saga([...migrate, '--dry-run']);
    expect(dryRun.code, dryRun.stderr).to.equal(0);
    expect(dryRun.stdout).to.match(
      new RegExp(`^Dry run: 1 order saga would move from v1 to v2\\.\\n${waiting}\\n`),
    );
    expect(dryRun.stdout).to.match(/cannot move\s+│ state\s+│ why/);
    expect(dryRun.stdout).to.contain(inStep);
    expect(dryRun.stdout).to.contain('a command is in flight (confirmOrder: ConfirmOrder)');

    const readOnly = await saga(migrate, READ_TOKEN);
    expect(readOnly.code).to.equal(1);
    expect(readOnly.stderr).to.contain('FORBIDDEN, HTTP 403');
    const badVersion = await saga([
      'definitions',
      'migrate',
      '--type',
      'order',
      '--from',
      '1',
      '--to',
      '3',
    ]);
    expect(badVersion.code).to.equal(1);
    expect(badVersion.stderr).to.contain('DEFINITION_NOT_FOUND');
    const missingTo = await saga(['definitions', 'migrate', '--type', 'order', '--from', '1']);
    expect(missingTo.code).to.equal(2);

    const applied = await saga([...migrate, '--actor', 'bob', '--reason', 'review flow', '--json']);
    expect(applied.code, applied.stderr).to.equal(8);
    const result = JSON.parse(applied.stdout) as MigrationResult;
    expect(result).to.deep.include({ dryRun: false, moved: [waiting], wouldMove: [] });
    expect(result.cannot.map((c) => [c.id, c.state])).to.deep.equal([
      [inStep, 'confirmOrder.attempting'],
    ]);
    const shown = await saga(['get', waiting]);
    expect(shown.stdout).to.contain(
      'migrated from order v1 (awaitingApproval) to v2 (awaitingReview) by bob: review flow',
    );

    await sut.system.startParticipantAgain('shipping');
    const approve = await saga(['signal', waiting, 'order.approve']);
    expect(approve.code, approve.stderr).to.equal(0);
    for (const [id, version] of [
      [waiting, '2'],
      [inStep, '1'],
    ] as const) {
      const done = await saga(['wait', id, '--json']);
      expect(done.code, done.stderr).to.equal(0);
      expect((JSON.parse(done.stdout) as { saga: SagaView }).saga).to.deep.include({
        status: 'completed',
        version,
      });
    }
  });
});
