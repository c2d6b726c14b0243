/**
 * `npm run bench:scale`: sagas/s of one, two and three orchestrator processes on the cluster
 * topology (three KRaft brokers, a Redis Cluster of three primaries and three replicas, started
 * here on ports of its own and stopped afterwards), the example participants as processes, in one
 * run with the counts interleaved (1, 2, 3, 1, 2, 3, …) so the shared machine's noise falls on
 * each of them; the median per count, the CPU per saga of every component, and the load average.
 * Writes `bench/results/scale-<date>-<time>.md` and `.json` (docs/scale-model.md explains them).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import ms from 'ms';
import { createRedisClient } from '../../orchestrator/store/index.js';
import { runClusterInfraScript } from '../../scripts/infra-script.js';
import type { ClusterConnection } from '../chaos/cluster.js';
import { stopAllClusters } from '../chaos/cluster.js';
import { describeMachine } from '../measure/machine-stats.js';
import { clusterInfraPids } from './cpu-accounts.js';
import { renderScaleMarkdown, type ScaleResults } from './render.js';
import { runRound, type RoundResult } from './round.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const USAGE = `npm run bench:scale [-- options]

  --counts <a,b,c>      orchestrator processes per round (default 1,2,3)
  --rounds <n>          rounds of each count, interleaved (default 3)
  --in-flight <n>       order sagas kept in flight (default 300)
  --warmup <duration>   per round, before measuring (default 10s)
  --measure <duration>  measured per round (default 20s)
  --partitions <n>      partitions of every topic (default 12, SAGA_TOPIC_PARTITIONS)
  --shards <n>          store shards (default 16, SAGA_STORE_SHARDS)
  --kafka-port <port>   broker 1's port; brokers on +0, +2, +4 (default 29692)
  --redis-port <port>   Redis node 1's port; nodes on +0 … +5 (default 17879)
  --results-dir <dir>   where scale-<date>-<time>.md and .json go (default bench/results)
  --render <file.json>  write the Markdown of an earlier run's results again (no run)`;

function settingsFrom(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      counts: { type: 'string', default: '1,2,3' },
      rounds: { type: 'string', default: '3' },
      'in-flight': { type: 'string', default: '300' },
      warmup: { type: 'string', default: '10s' },
      measure: { type: 'string', default: '20s' },
      partitions: { type: 'string', default: '12' },
      shards: { type: 'string', default: '16' },
      'kafka-port': { type: 'string', default: '29692' },
      'redis-port': { type: 'string', default: '17879' },
      'results-dir': { type: 'string', default: path.join(ROOT, 'bench/results') },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help' as const;
  if (values.render !== undefined) return { render: values.render };
  const int = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${value}" is not a count`);
    return n;
  };
  const duration = (name: string, value: string) => {
    const n = ms(value as ms.StringValue);
    if (typeof n !== 'number' || !(n > 0)) throw new Error(`--${name}: "${value}" is no duration`);
    return n;
  };
  return {
    counts: values.counts.split(',').map((c) => int('counts', c.trim())),
    rounds: int('rounds', values.rounds),
    inFlight: int('in-flight', values['in-flight']),
    warmupMs: duration('warmup', values.warmup),
    measureMs: duration('measure', values.measure),
    partitions: int('partitions', values.partitions),
    shards: int('shards', values.shards),
    kafkaPort: int('kafka-port', values['kafka-port']),
    redisPort: int('redis-port', values['redis-port']),
    resultsDir: values['results-dir'],
  };
}

let settings: ReturnType<typeof settingsFrom>;
try {
  settings = settingsFrom(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (settings === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (settings.render !== undefined) {
  const results = JSON.parse(await readFile(settings.render, 'utf8')) as ScaleResults;
  const markdownFile = settings.render.replace(/\.json$/, '.md');
  await writeFile(markdownFile, renderScaleMarkdown(results));
  console.log(`Rendered ${markdownFile}`);
  process.exit(0);
}
const run = settings;
const log = (line: string) => console.error(`[scale] ${new Date().toISOString()} ${line}`);

const infraDir = mkdtempSync(path.join(tmpdir(), 'scale-infra-'));
const place = { kafkaPort: run.kafkaPort, redisPort: run.redisPort, infraDir, kafkaHeap: '512m' };
const infra = (...args: string[]) => runClusterInfraScript(place, ...args);
let stopping: Promise<void> | undefined;
const stopAll = () =>
  (stopping ??= (async () => {
    await stopAllClusters();
    await infra('down').catch((error: Error) => log(error.message));
    rmSync(infraDir, { recursive: true, force: true });
  })());
process.on('SIGINT', () => {
  log('interrupted: stopping the processes and the cluster');
  void stopAll().then(() => process.exit(130));
});

const brokers = [0, 1, 2].map((n) => `127.0.0.1:${run.kafkaPort + 2 * n}`);
const redisNodes = [0, 1, 2, 3, 4, 5].map((n) => ({ host: '127.0.0.1', port: run.redisPort + n }));
// REDIS_URL blank: a REDIS_URL of the bench's own environment would reach the children too, and
// one Redis and a cluster together is a configuration error.
const connectionEnv = {
  KAFKA_BROKERS: brokers.join(','),
  REDIS_CLUSTER_NODES: redisNodes.map((n) => `${n.host}:${n.port}`).join(','),
  REDIS_URL: '',
};
const connection: ClusterConnection = { orchestrators: connectionEnv, participants: connectionEnv };
const extraEnv = {
  SAGA_TOPIC_REPLICATION_FACTOR: '3',
  SAGA_TOPIC_PARTITIONS: String(run.partitions),
  SAGA_STORE_SHARDS: String(run.shards),
};

const startedAt = new Date().toISOString();
const rounds: RoundResult[] = [];
try {
  log(`starting the cluster topology (brokers ${brokers.join(', ')}; Redis from ${run.redisPort})`);
  await infra('up');
  const infraPids = clusterInfraPids(infraDir, run.kafkaPort, run.redisPort);
  const redis = createRedisClient({ clusterNodes: redisNodes });
  const admin = new Kafka({ brokers, clientId: 'scale-bench', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const runPrefix = `scale-${startedAt.replace(/[-:]/g, '').slice(0, 15)}`;
  try {
    for (let round = 1; round <= run.rounds; round++) {
      for (const orchestrators of run.counts) {
        rounds.push(
          await runRound({
            round,
            orchestrators,
            runPrefix,
            brokers,
            connection,
            infraPids,
            extraEnv,
            inFlight: run.inFlight,
            warmupMs: run.warmupMs,
            measureMs: run.measureMs,
            redis,
            admin,
            log,
          }),
        );
      }
    }
  } finally {
    await admin.disconnect();
    redis.disconnect();
  }
  const results: ScaleResults = {
    startedAt,
    endedAt: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim(),
    machine: describeMachine(),
    settings: {
      counts: run.counts,
      rounds: run.rounds,
      inFlight: run.inFlight,
      warmupSeconds: run.warmupMs / 1000,
      measureSeconds: run.measureMs / 1000,
      partitions: run.partitions,
      storeShards: run.shards,
    },
    topology:
      '3 KRaft brokers (Kafka 3.9, min ISR 2) and a Redis Cluster of 3 primaries + 3 replicas ' +
      "(AOF everysec), all on this machine's loopback (`INFRA_TOPOLOGY=cluster scripts/infra.sh`)",
    rounds,
  };
  await mkdir(run.resultsDir, { recursive: true });
  const stamp = startedAt.replace(/[:]/g, '').replace('T', '-').slice(0, 17);
  const base = path.join(run.resultsDir, `scale-${stamp}`);
  const markdown = renderScaleMarkdown(results);
  await writeFile(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown);
  console.log(markdown);
  console.log(`Results: ${base}.md and ${base}.json`);
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
