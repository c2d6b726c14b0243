/**
 * Keeps the benchmark from rotting: runs the harness in its smoke mode (a few seconds at a low
 * rate, raw transport loop and orchestrator, real Kafka and Redis, worker processes) and checks
 * that it produced a results table with sagas that completed. Speed is not asserted (the machine
 * is shared); the bench itself is `npm run bench`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { runBenchmark } from '../../bench/harness/run-benchmark.js';
import { writeResults } from '../../bench/report/write-results.js';
import { infraEndpoints } from '../support/infra.js';

describe('bench harness (smoke)', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-smoke-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a few seconds at a low rate and writes a results table with completed sagas', async () => {
    const { brokers, redisUrl } = infraEndpoints();
    const results = await runBenchmark({
      brokers,
      redisUrl,
      mode: 'smoke',
      inFlight: 'auto',
      maxInFlight: 100,
      rates: [20],
      replyPartitions: [1],
      soakSeconds: 0,
      inFlightMemorySagas: 0,
      workDir: path.join(dir, 'work'),
      root: path.resolve(import.meta.dirname, '..', '..'),
    });
    const orchestrator = results.measurements.find((m) => m.session === 'orchestrator');
    const transport = results.measurements.find((m) => m.session === 'transport: Kafka + Redis');
    expect(orchestrator?.load.completed, 'orchestrator sagas completed').to.be.greaterThan(0);
    expect(transport?.load.completed, 'raw loop sagas completed').to.be.greaterThan(0);
    expect(orchestrator?.load.latency.p50Ms).to.be.greaterThan(0);
    expect(orchestrator?.sideA.cpuPercent).to.be.greaterThan(0);

    const written = await writeResults(results, path.join(dir, 'results'));
    const markdown = await readFile(written.markdownFile, 'utf8');
    const row = markdown
      .split('\n')
      .find((line) => line.startsWith('| orchestrator: offered 20/s'));
    expect(row, 'the orchestrator row of the results table').to.be.a('string');
    const sagasPerSec = Number(row?.split('|')[3]?.trim().replace(/,/g, ''));
    expect(sagasPerSec).to.be.greaterThan(0);
    const json = JSON.parse(await readFile(written.jsonFile, 'utf8')) as typeof results;
    expect(json.measurements).to.have.length(2);
  });
});
