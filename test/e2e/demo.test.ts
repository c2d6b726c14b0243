/**
 * The demo as a user runs it: `bash scripts/demo.sh --sagas 200` (what `npm run demo -- --sagas
 * 200` runs) as a child process, against the running Kafka and Redis (KAFKA_BROKERS and REDIS_URL
 * set, so the script starts none). It must end with its summary and exit 0, with a mix that
 * includes completed and compensated sagas.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { infraEndpoints } from '../support/infra.js';
import { runToEnd, type Run } from '../support/run-to-end.js';
import { freePort } from '../support/free-port.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function runDemo(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn('bash', ['scripts/demo.sh', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runToEnd(child);
}

/** The rows of the summary's "Outcomes" table: status → sagas. */
function outcomeRows(stdout: string): Map<string, number> {
  const start = stdout.indexOf('\nOutcomes');
  expect(start, 'the summary has an Outcomes table').to.be.greaterThan(-1);
  const section = stdout.slice(start + 1, stdout.indexOf('\n\n', start + 1));
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^│ ([a-z-]+)\s+│ ([\d,]+)\s+│/gm)) {
    rows.set(match[1] ?? '', Number((match[2] ?? '').replace(/,/g, '')));
  }
  return rows;
}

/** Deletes the topics, groups and keys of one demo run (the demo leaves them for people). */
async function deleteRun(prefix: string): Promise<void> {
  const { brokers, redisUrl } = infraEndpoints();
  const admin = new Kafka({ brokers, clientId: 'demo-e2e', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(`${prefix}.`));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

describe('demo: npm run demo as a child process (real Kafka and Redis)', function () {
  this.timeout(600_000);
  const prefixes: string[] = [];

  after(async function () {
    this.timeout(120_000);
    for (const prefix of prefixes) await deleteRun(prefix);
  });

  it('runs 200 order sagas and ends with its summary: all at rest, a real mix, exit 0', async () => {
    infraEndpoints(); // fails clearly when the infrastructure is not there
    const port = await freePort();
    // Earlier runs' data is left alone: it may be a developer's (the deletion has its own test).
    const run = await runDemo(['--sagas', '200', '--no-clean-old-runs'], {
      HTTP_PORT: String(port),
    });
    const prefix = /Demo run (demo-[\w-]+):/.exec(run.stdout)?.[1];
    if (prefix) prefixes.push(prefix);
    const context = `stdout:\n${run.stdout}\nstderr (end):\n${run.stderr.slice(-3000)}`;

    expect(run.code, context).to.equal(0);
    expect(run.stdout, context).to.contain(`HTTP API on http://127.0.0.1:${port}`);
    expect(run.stdout).to.contain('all in this process');
    const rows = outcomeRows(run.stdout);
    const { all, ...byStatus } = Object.fromEntries(rows);
    expect(all, context).to.equal(200);
    const sum = Object.values(byStatus).reduce((a, b) => a + b, 0);
    expect(sum, context).to.equal(200);
    expect(byStatus.completed ?? 0, context).to.be.greaterThan(0);
    expect(byStatus.compensated ?? 0, context).to.be.greaterThan(0);
    expect(Object.keys(byStatus)).to.not.include.members(['parked', 'unfinished', 'not-started']);
    // Outcomes come from the participants' state: a scarce SKU sells out, a budget runs out.
    expect(run.stdout).to.match(/│ compensated │ OUT_OF_STOCK\s+│ reserveInventory │/);
    expect(run.stdout).to.match(/│ compensated │ DECLINED\s+│ authorizePayment\s+│/);
    expect(run.stdout).to.match(/│ invariants\s+│ hold\s+│/);
    expect(run.stdout).to.match(/│ agree with the sagas\s+│ yes\s+│/);
    expect(run.stdout).to.contain('Where to look');
    expect(run.stdout).to.contain(`curl -s 'http://127.0.0.1:${port}/v1/sagas?status=parked'`);
    expect(run.stdout).to.match(/Result: OK: all 200 sagas ended/);
    // The progress (not a terminal here: plain lines) ends with everything at rest.
    expect(run.stderr).to.match(/\[demo\] 200\/200 at rest/);
  });

  it('refuses bad usage with exit code 2 and says what is wrong', async () => {
    infraEndpoints(); // so that demo.sh starts no infrastructure of its own
    const run = await runDemo(['--sagas', '0']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('--sagas takes a whole number >= 1, got "0"');
    const help = await runDemo(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.contain('--in-flight <n>');
  });
});
