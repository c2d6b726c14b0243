/**
 * The `saga` binary as an operator runs it, against a real orchestrator (in this process, on real
 * Kafka and Redis, with the example participants) and its HTTP API on a random port.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { SagaView } from '../../orchestrator/api/index.js';
import { createOrderSaga } from '../../sagas/order/index.js';
import { eventually } from '../support/api-client.js';
import { orderInput } from '../support/orders.js';
import { runToEnd, type Run } from '../support/run-to-end.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../support/system.js';

const BIN = fileURLToPath(new URL('../../cli/bin/saga.js', import.meta.url));
const TOKEN = 'cli-e2e-token';

describe('CLI: the saga binary against a running orchestrator (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const sut = useSystem('cli-e2e', {
    api: { apiToken: TOKEN },
    definitions: [
      createOrderSaga({
        ...TEST_ORDER_TIMINGS,
        compensation: { timeoutMs: 2_500, maxAttempts: 2, backoff: { initialDelayMs: 100 } },
      }),
    ],
  });

  /** Runs `saga <args>` with the API's URL and token in the environment. */
  function saga(
    args: string[],
    options: { env?: Record<string, string>; stdin?: string } = {},
  ): Promise<Run> {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        SAGA_API_URL: sut.system.apiUrl ?? '',
        SAGA_API_TOKEN: TOKEN,
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return runToEnd(child, options.stdin);
  }

  const startJson = async (input: object, extra: string[] = []) => {
    const run = await saga(['start', 'order', JSON.stringify(input), '--json', ...extra]);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as SagaView;
  };

  const awaitApproval = (id: string) =>
    eventually(`saga ${id} to wait for approval`, async () => {
      const run = await saga(['get', id, '--json']);
      return (JSON.parse(run.stdout) as SagaView).state === 'awaitingApproval' ? true : undefined;
    });

  it('definitions: a table of the types, one type with its steps, --json with the statechart', async () => {
    const list = await saga(['definitions']);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.contain('reserveInventory → authorizePayment → confirmOrder');
    const one = await saga(['definitions', 'order']);
    expect(one.stdout).to.match(/authorizePayment\s+│ payment\s+│ AuthorizePayment/);
    expect(one.stdout).to.contain('payment.VoidAuthorization');
    const json = await saga(['definitions', 'order', '--json']);
    const parsed = JSON.parse(json.stdout) as { definition: { id: string } };
    expect(parsed.definition.id).to.equal('order');
  });

  it('asyncapi: prints the running orchestrator’s wire contract, --out writes it to a file', async () => {
    const printed = await saga(['asyncapi']);
    expect(printed.code, printed.stderr).to.equal(0);
    const document = JSON.parse(printed.stdout) as {
      asyncapi: string;
      channels: Record<string, { address: string }>;
    };
    expect(document.asyncapi).to.equal('3.0.0');
    const prefix = sut.system.orchestrator.topics.prefix;
    expect(Object.values(document.channels).map((c) => c.address)).to.include.members([
      `${prefix}.inventory.commands`,
      `${prefix}.replies`,
      `${prefix}.dlq`,
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'saga-asyncapi-'));
    try {
      const file = join(dir, 'contract.asyncapi.json');
      const written = await saga(['asyncapi', '--out', file]);
      expect(written.code, written.stderr).to.equal(0);
      expect(written.stdout).to.match(
        /^wrote .*contract\.asyncapi\.json \(7 channels, 15 messages\)/,
      );
      expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal(document);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('start --wait: exits 0 once the saga completed; the same --key names the same saga', async () => {
    const input = JSON.stringify(orderInput());
    const key = `cli-${Date.now()}`;
    const run = await saga(['start', 'order', input, '--key', key, '--wait', '60s']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^saga order-[0-9a-f]{32} is completed \(state completed\)/);
    expect(run.stdout).to.contain('History (');
    const again = await saga(['start', 'order', input, '--key', key]);
    expect(again.code).to.equal(0);
    expect(again.stdout).to.match(/^Already started/);
    // Input from standard input.
    const fromStdin = await saga(['start', 'order', '-', '--json'], {
      stdin: JSON.stringify(orderInput()),
    });
    expect(fromStdin.code, fromStdin.stderr).to.equal(0);
    expect((JSON.parse(fromStdin.stdout) as SagaView).status).to.equal('running');
  });

  it('get and list: tables, --json, 404 as exit 1 with the reason', async () => {
    const started = await startJson(orderInput());
    const wait = await saga(['wait', started.id, '--timeout', '60s']);
    expect(wait.code, wait.stdout + wait.stderr).to.equal(0);
    expect(wait.stdout.trim()).to.equal(`saga ${started.id} is completed (state completed)`);

    const get = await saga(['get', started.id, '--history', '3']);
    expect(get.code).to.equal(0);
    expect(get.stdout).to.match(/│ status\s+│ completed/);
    expect(get.stdout).to.match(/History \(entries \d+–\d+ of \d+\)/);

    const list = await saga(['list', '--status', 'completed', '--json', '--all']);
    const page = JSON.parse(list.stdout) as { items: Array<{ id: string }> };
    expect(page.items.map((s) => s.id)).to.include(started.id);
    const table = await saga(['list', '--type', 'order', '--limit', '2']);
    expect(table.stdout).to.match(/│ id\s+│ type\s+│ status/);
    expect(table.stdout).to.match(/More: --cursor \S+/);

    const missing = await saga(['get', 'no-such-saga']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain('no saga with id "no-such-saga" (SAGA_NOT_FOUND, HTTP 404)');
  });

  it('watch and signal: an order waits for approval, order.approve completes it', async () => {
    const started = await startJson(orderInput({ amount: 20_000 }));
    await awaitApproval(started.id);
    const watch = await saga(['watch', started.id, '--count', '1']);
    expect(watch.code).to.equal(4);
    expect(watch.stdout).to.match(/│ state\s+│ awaitingApproval/);
    expect(watch.stdout).to.contain('an event: order.approve or order.reject');

    const refused = await saga(['signal', started.id, 'order.ship']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('EVENT_NOT_ACCEPTED');
    expect(refused.stderr).to.contain('it accepts now: order.approve, order.reject');

    // The order saga declares approvedBy a non-empty string: the API refuses 42, the CLI says why.
    const invalid = await saga(['signal', started.id, 'order.approve', '{"approvedBy":42}']);
    expect(invalid.code).to.equal(1);
    expect(invalid.stderr).to.contain('(INVALID_EVENT, HTTP 400)');
    expect(invalid.stderr).to.contain('  - /approvedBy must be string');

    const approve = await saga(['signal', started.id, 'order.approve', '{"approvedBy":"ana"}']);
    expect(approve.code, approve.stderr).to.equal(0);
    expect(approve.stdout).to.match(/^Sent order\.approve\./);
    const done = await saga(['watch', started.id, '--interval', '200ms']);
    expect(done.code).to.equal(0);
    expect(done.stdout).to.match(/│ status\s+│ completed/);
  });

  it('cancel: the saga is compensated and wait exits 5 (ended, not completed)', async () => {
    const started = await startJson(orderInput({ amount: 20_000 }));
    await awaitApproval(started.id);
    const cancel = await saga(['cancel', started.id]);
    expect(cancel.code, cancel.stderr).to.equal(0);
    expect(cancel.stdout).to.match(/^Cancelling\./);
    const wait = await saga(['wait', started.id, '--json']);
    expect(wait.code).to.equal(5);
    const result = JSON.parse(wait.stdout) as { done: boolean; saga: SagaView };
    expect(result.done).to.equal(true);
    expect(result.saga.status).to.equal('cancelled');
  });

  it('pause and resume with --actor and --reason: a paused saga refuses a signal until resumed', async () => {
    const started = await startJson(orderInput({ amount: 20_000 }));
    await awaitApproval(started.id);
    const pause = await saga(['pause', started.id, '--actor', 'Zoë', '--reason', 'supplier late']);
    expect(pause.code, pause.stderr).to.equal(0);
    expect(pause.stdout).to.match(/^Paused\./);
    expect(pause.stdout).to.match(/│ status\s+│ running \(paused\)/);
    expect(pause.stdout).to.contain('by Zoë: supplier late');

    const refused = await saga(['signal', started.id, 'order.approve']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('SAGA_PAUSED');

    const resume = await saga(['resume', started.id]);
    expect(resume.code, resume.stderr).to.equal(0);
    expect(resume.stdout).to.match(/^Resumed\./);
    const approve = await saga([
      'signal',
      started.id,
      'order.approve',
      '--actor',
      'ana',
      '--reason',
      'checked by phone',
    ]);
    expect(approve.code, approve.stderr).to.equal(0);
    const view = JSON.parse((await saga(['get', started.id, '--json'])).stdout) as SagaView;
    expect(view.history.filter((h) => h.kind === 'operator').map((h) => h.summary)).to.deep.equal([
      'paused by Zoë: supplier late',
      'resumed by operator',
      'signal order.approve sent by ana: checked by phone',
    ]);
  });

  it('retry: a parked saga finishes its compensation once the participant is back', async () => {
    const started = await startJson(orderInput({ amount: 20_000 }));
    await awaitApproval(started.id);
    const early = await saga(['retry', started.id]);
    expect(early.code).to.equal(1);
    expect(early.stderr).to.contain('NOT_PARKED');

    await sut.system.participants?.inventory.stop();
    expect((await saga(['signal', started.id, 'order.reject'])).code).to.equal(0);
    const parked = await saga(['wait', started.id, '--timeout', '60s']);
    expect(parked.code).to.equal(5);
    expect(parked.stdout).to.contain('is parked');
    const listed = await saga(['list', '--status', 'parked', '--json']);
    const parkedIds = (JSON.parse(listed.stdout) as { items: Array<{ id: string }> }).items;
    expect(parkedIds.map((s) => s.id)).to.deep.equal([started.id]);
    const counts = await saga(['counts', '--json']);
    expect(counts.code, counts.stderr).to.equal(0);
    expect((JSON.parse(counts.stdout) as { items: unknown[] }).items).to.deep.include({
      type: 'order',
      status: 'parked',
      count: 1,
    });
    expect((await saga(['counts'])).stdout).to.match(/type .*parked/);
    const byPrefix = await saga(['list', '--id-prefix', started.id, '--older-than', '0', '--json']);
    const prefixed = (JSON.parse(byPrefix.stdout) as { items: Array<{ id: string }> }).items;
    expect(prefixed.map((s) => s.id)).to.deep.equal([started.id]);
    const overdue = await saga(['list', '--overdue', '--json']);
    expect(JSON.parse(overdue.stdout)).to.deep.equal({ items: [] });
    const dryRun = await saga(['retry-parked', '--type', 'order', '--dry-run']);
    expect(dryRun.code, dryRun.stderr).to.equal(0);
    expect(dryRun.stdout).to.equal(`Dry run: 1 parked saga would be retried.\n${started.id}\n`);
    const needsType = await saga(['retry-parked']);
    expect(needsType.code).to.equal(2);

    await sut.system.startParticipantAgain('inventory');
    const retry = await saga(['retry', started.id]);
    expect(retry.code, retry.stderr).to.equal(0);
    expect(retry.stdout).to.match(/^Retrying\./);
    const done = await saga(['wait', started.id, '--json']);
    expect((JSON.parse(done.stdout) as { saga: SagaView }).saga.status).to.equal('compensated');
    const nothingLeft = await saga(['retry-parked', '--type', 'order', '--json']);
    expect(nothingLeft.code, nothingLeft.stderr).to.equal(0);
    expect(JSON.parse(nothingLeft.stdout)).to.deep.equal({
      matched: 0,
      retried: 0,
      ids: [],
      failed: [],
    });
  });

  it('watch without an id redraws the newest sagas', async () => {
    const run = await saga(['watch', '--count', '2', '--interval', '100ms', '--limit', '5']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.match(/^newest sagas \(/gm)).to.have.length(2);
    expect(run.stdout).to.match(/completed \d+/);
  });

  it('clear errors and exit codes: no token 1, unreachable 3, usage 2', async () => {
    const noToken = await saga(['list'], { env: { SAGA_API_TOKEN: '' } });
    expect(noToken.code).to.equal(1);
    expect(noToken.stderr).to.contain('UNAUTHORIZED, HTTP 401');
    const unreachable = await saga(['list', '--url', 'http://127.0.0.1:59999']);
    expect(unreachable.code).to.equal(3);
    expect(unreachable.stderr).to.contain('cannot reach the saga API at http://127.0.0.1:59999');
    const badJson = await saga(['start', 'order', '{nope']);
    expect(badJson.code).to.equal(2);
    expect(badJson.stderr).to.contain('the input is not valid JSON');
    const badOption = await saga(['list', '--status', 'sleeping']);
    expect(badOption.code).to.equal(2);
    expect(badOption.stderr).to.contain('status must be one of');
    const unknown = await saga(['frobnicate']);
    expect(unknown.code).to.equal(2);
    const invalid = await saga(['start', 'order', '{"orderId":"x"}']);
    expect(invalid.code).to.equal(1);
    expect(invalid.stderr).to.contain('INVALID_INPUT');
    expect(invalid.stderr).to.contain('  - (input) must have property "customerId"');
  });
});
