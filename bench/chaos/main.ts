/**
 * `npm run chaos`: the fault-injection suite (see docs/reliability.md). Starts its own Kafka and
 * Redis on ports of their own, runs each scenario over N sagas with real orchestrator and
 * participant processes, prints a table, writes `bench/results/chaos-<date>.json` and `.md`, and
 * exits 1 when a scenario breaks the acceptance (2 for bad usage).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_CLUSTER_CHAOS_PORTS,
  startChaosInfra,
  startClusterChaosInfra,
  type ChaosInfra,
} from './chaos-infra.js';
import { stopAllClusters } from './cluster.js';
import { plannedOrders, runScenario, type RunSettings } from './run-scenario.js';
import { DEFAULT_TIMING, SCENARIOS } from './scenarios.js';
import { judge, renderTable, type ScenarioResult } from './verdict.js';

const USAGE = `npm run chaos [-- options]

  --scenario <name>     run one scenario (repeatable; default: all, baseline first):
                        ${SCENARIOS.map((s) => s.name).join(', ')}
  --sagas <n>           sagas per scenario (default 1000)
  --seed <text>         decides which orders complete or compensate, and the faults' picks
                        (default chaos)
  --rate <n>            sagas started per second through the HTTP API (default 20)
  --env KEY=VALUE       set for every orchestrator and participant process (repeatable;
                        default: none, the shipped defaults)
  --kafka-down <s>      kafka-restart: seconds the broker stays dead before its restart begins
                        (default 15; the restart itself takes as long again here)
  --results-dir <dir>   where chaos-<date>.json and .md go (default bench/results)
  --cluster-ports <kafka>,<redis>
                        cluster-failover: first broker's and first Redis node's ports
                        (default ${DEFAULT_CLUSTER_CHAOS_PORTS.kafkaPort},${DEFAULT_CLUSTER_CHAOS_PORTS.redisPort}: brokers +0/+2/+4, controllers one above; Redis +0…+5)

Kafka and both Redis servers are the suite's own (ports 29092, 26379, 26380; data under
.infra/chaos), started and removed by the run. cluster-failover runs on the cluster topology
instead (3 brokers from port ${DEFAULT_CLUSTER_CHAOS_PORTS.kafkaPort}, Redis Cluster nodes from ${DEFAULT_CLUSTER_CHAOS_PORTS.redisPort}; data under
.infra/chaos-cluster), started after the other scenarios and removed, with 3 orchestrators,
3 sagas/s and REDIS_WAIT_REPLICAS=1:
  npm run chaos -- --scenario cluster-failover --sagas 1000`;

const ROOT = path.resolve(import.meta.dirname, '../..');

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    options: {
      scenario: { type: 'string', multiple: true },
      sagas: { type: 'string', default: '1000' },
      seed: { type: 'string', default: 'chaos' },
      rate: { type: 'string', default: '20' },
      env: { type: 'string', multiple: true },
      'kafka-down': { type: 'string', default: '15' },
      'results-dir': { type: 'string' },
      'cluster-ports': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
}
try {
  values = parse();
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) fail(`--${name} takes a positive number, got "${text}"`);
  return n;
};
const names = values.scenario ?? SCENARIOS.map((s) => s.name);
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) fail(`unknown scenario ${unknown.join(', ')}`);
const extraEnv = Object.fromEntries(
  (values.env ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) fail(`--env takes KEY=VALUE, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const settings: RunSettings = {
  sagas: Math.round(positive('sagas', values.sagas)),
  seed: values.seed,
  ratePerSecond: positive('rate', values.rate),
  orchestrators: 2,
  extraEnv,
  timing: { ...DEFAULT_TIMING, kafkaDownMs: positive('kafka-down', values['kafka-down']) * 1000 },
  settleMs: 180_000,
  log: (line) => console.log(line),
};
const clusterPorts = (() => {
  if (values['cluster-ports'] === undefined) return {};
  const [kafkaPort, redisPort] = values['cluster-ports'].split(',').map(Number);
  if (!(kafkaPort! > 0 && redisPort! > 0)) {
    fail(`--cluster-ports takes <kafka>,<redis>, got "${values['cluster-ports']}"`);
  }
  return { kafkaPort: kafkaPort!, redisPort: redisPort! };
})();
const resultsDir = path.resolve(values['results-dir'] ?? path.join(ROOT, 'bench/results'));

let infra: ChaosInfra | undefined;
let infraTopology: 'single' | 'cluster' = 'single';
let interrupted = false;
// Ctrl-C or SIGTERM: the scenario's processes and the suite's Kafka and Redis (which run
// detached) are stopped here before the harness exits.
const interrupt = () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('\n[chaos] interrupted: stopping the processes and the suite’s Kafka and Redis…');
  void (async () => {
    await stopAllClusters();
    await infra?.down();
    process.exit(130);
  })();
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

const results: ScenarioResult[] = [];
try {
  const planned = plannedOrders(settings.sagas, settings.seed);
  const fromPlan = {
    completed: planned.filter((o) => o.expected === 'completed').length,
    compensated: planned.filter((o) => o.expected !== 'completed').length,
  };
  let baseline: Record<string, number> | undefined;
  // The baseline first, so that the others are compared with it.
  const order = [...names].sort((a, b) => Number(b === 'baseline') - Number(a === 'baseline'));
  // The single topology's scenarios first, then the cluster's: one infrastructure at a time.
  const onCluster = (name: string) => SCENARIOS.find((s) => s.name === name)?.infra === 'cluster';
  order.sort((a, b) => Number(onCluster(a)) - Number(onCluster(b)));
  for (const name of order) {
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    const topology = scenario.infra ?? 'single';
    if (infra === undefined || infraTopology !== topology) {
      await infra?.down();
      infra = undefined;
      console.log(`[chaos] starting the suite’s own ${topology} Kafka and Redis…`);
      infra =
        topology === 'cluster'
          ? await startClusterChaosInfra({ ...DEFAULT_CLUSTER_CHAOS_PORTS, ...clusterPorts })
          : await startChaosInfra();
      infraTopology = topology;
    }
    console.log(
      `[chaos] ${name}: ${scenario.fault} (${settings.sagas} sagas, seed ${settings.seed})`,
    );
    const figures = await runScenario(scenario, infra, settings);
    if (name === 'baseline') baseline = figures.byStatus;
    const withBaseline = { ...figures, baselineByStatus: baseline ?? fromPlan };
    const result: ScenarioResult = { ...withBaseline, acceptance: judge(withBaseline) };
    results.push(result);
    console.log(
      `[chaos] ${name}: ${JSON.stringify(result.byStatus)} lost ${result.lost}, double effects ` +
        `${result.doubleEffects}, stuck ${result.stuck}, recovery ${result.recoverySeconds}s — ` +
        `${result.acceptance.ok ? 'pass' : `FAIL (${result.acceptance.broken.join('; ')})`}`,
    );
    for (const problem of result.problems.slice(0, 5)) console.log(`    ${problem.split('\n')[0]}`);
  }
} catch (error) {
  console.error(`\n[chaos] failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await infra?.down();
}

if (results.length > 0) {
  const date = new Date().toISOString().slice(0, 10);
  const table = renderTable(results);
  await mkdir(resultsDir, { recursive: true });
  const jsonFile = path.join(resultsDir, `chaos-${date}.json`);
  const markdownFile = path.join(resultsDir, `chaos-${date}.md`);
  const run = {
    date: new Date().toISOString(),
    command: [
      'npm run chaos',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    sagas: settings.sagas,
    seed: settings.seed,
    ratePerSecond: settings.ratePerSecond,
    orchestrators: settings.orchestrators,
    extraEnv,
    timing: settings.timing,
  };
  await writeFile(jsonFile, `${JSON.stringify({ run, scenarios: results }, null, 2)}\n`);
  // A scenario that declares its own processes, rate or env ran with those, not the run's.
  const ownSettings = results
    .map((r) => SCENARIOS.find((s) => s.name === r.name)!)
    .filter((s) => s.orchestrators ?? s.ratePerSecond ?? s.env)
    .map(
      (s) =>
        `; ${s.name}: ${s.orchestrators ?? run.orchestrators} orchestrators, ` +
        `${s.ratePerSecond ?? run.ratePerSecond} sagas/s, env ${JSON.stringify({ ...extraEnv, ...s.env })}` +
        (s.infra === 'cluster' ? ', cluster topology' : ''),
    )
    .join('');
  await writeFile(
    markdownFile,
    `# Fault-injection run, ${run.date}\n\n\`${run.command}\` — ${run.sagas} sagas per scenario, ` +
      `seed \`${run.seed}\`, ${run.ratePerSecond} sagas/s, ${run.orchestrators} orchestrators, ` +
      `env ${JSON.stringify(extraEnv)}${ownSettings}\n\n${table}\n`,
  );
  console.log(`\n${table}\n\nResults: ${markdownFile} and ${jsonFile}`);
  if (results.some((r) => !r.acceptance.ok)) process.exitCode = 1;
}
