/**
 * `node --import tsx bench/compare.ts --ref <rev>[=label] --ref WORKTREE=after …`: the same
 * saturation measurement of several versions of the runtime, side by side in one run, so a change
 * is judged against its "before" under the same load on the shared machine (see
 * docs/benchmarks.md, "Optimisations").
 *
 * Each ref's `orchestrator/`, `participants/` and `sagas/` (from git, or the working tree for
 * `WORKTREE`) are transpiled together with *this* tree's `bench/`, so every version is driven and
 * measured by the same harness. Rounds alternate the versions (A B, then B A, …) and every
 * measurement is a fresh session at the same sagas in flight; with `--raw` each round also runs
 * the raw Kafka + Redis loop, the denominator of "% of the transport limit".
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, symlink, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { markdownTable } from 'markdown-table';
import { readFile } from 'node:fs/promises';
import { compileSources } from './harness/compile-sources.js';
import { Session } from './harness/session.js';
import type { BenchContext, Measurement, SessionKind } from './harness/session-types.js';
import { DEFAULT_PARTITIONS } from './harness/session-infra.js';
import type { LoadMode } from './load/load-driver.js';
import { findKafkaPid, MachineStats } from './measure/machine-stats.js';
import { summarizeProfile, type CpuProfile } from './measure/profile-summary.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNTIME_DIRS = ['orchestrator', 'participants', 'sagas', 'wire'];
/**
 * Folders this tree's bench imports itself: a ref from before one existed (wire/ came with
 * issue 16) gets this tree's copy, so the harness runs; the ref's runtime keeps its own code.
 */
const HARNESS_DIRS = ['wire'];

const USAGE = `node --import tsx bench/compare.ts --ref <rev>[=label] [--ref …] [options]

  --ref <rev>[=label]   a git revision (or WORKTREE for the working tree); two or more
  --in-flight <n>       sagas kept in flight (default 400)
  --rate <n>            offer n sagas/s instead (open loop): CPU per saga at a fixed load, which
                        moves less with other people's load than saturation does
  --rounds <n>          rounds; each measures every ref once, order alternating (default 3)
  --warmup <s>          seconds of warm-up per measurement (default 5)
  --seconds <s>         measured seconds per measurement (default 15)
  --raw                 also the raw Kafka + Redis loop once per round
  --profile             CPU-profile side A in the last round (files next to the results)
  --lifecycle-off       run the orchestrators with lifecycle events off
  --lifecycle <level>   run the orchestrators with this lifecycle event level (saga, steps, none;
                        refs from before the levels publish every event unless --lifecycle-off)
  --out <file>          results (Markdown; .json beside it) (default bench/results/compare-<date>.md)`;

interface Variant {
  label: string;
  rev: string;
  ctx: BenchContext;
}

interface Row {
  round: number;
  variant: string;
  measurement: Measurement;
}

const { values } = parseArgs({
  options: {
    ref: { type: 'string', multiple: true, default: [] },
    'in-flight': { type: 'string', default: '400' },
    rate: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '15' },
    raw: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'lifecycle-off': { type: 'boolean', default: false },
    lifecycle: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || (values.ref?.length ?? 0) < 1) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const redisUrl = process.env.REDIS_URL ?? '';
if (brokers.length === 0 || !redisUrl) throw new Error('KAFKA_BROKERS and REDIS_URL must be set');

const inFlight = Number(values['in-flight']);
const rate = values.rate === undefined ? undefined : Number(values.rate);
const loadMode: LoadMode =
  rate === undefined ? { kind: 'closed', inFlight } : { kind: 'open', ratePerSec: rate };
const loadLabel = rate === undefined ? `${inFlight} in flight` : `${rate} sagas/s offered`;
const rounds = Number(values.rounds);
const timing = { warmupS: Number(values.warmup), measureS: Number(values.seconds) };
const startedAt = new Date();
const stamp = startedAt.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
const runId = `cmp-${stamp}-${randomBytes(2).toString('hex')}`;
const workDir = path.join(os.tmpdir(), 'saga-bench', runId);
const outFile = path.resolve(
  values.out ?? path.join(ROOT, 'bench', 'results', `compare-${stamp}.md`),
);
await mkdir(workDir, { recursive: true });

/** A tree with the ref's runtime and this tree's bench, transpiled; returns the worker entry. */
async function buildVariant(rev: string, label: string): Promise<{ entry: string; root: string }> {
  const src = path.join(workDir, `${label}-src`);
  await mkdir(src, { recursive: true });
  if (rev === 'WORKTREE') {
    for (const dir of RUNTIME_DIRS)
      await cp(path.join(ROOT, dir), path.join(src, dir), { recursive: true });
  } else {
    const inRev = new Set(
      execFileSync('git', ['ls-tree', '--name-only', rev], { cwd: ROOT }).toString().split('\n'),
    );
    const tar = execFileSync('git', ['archive', rev, ...RUNTIME_DIRS.filter((d) => inRev.has(d))], {
      cwd: ROOT,
      maxBuffer: 1 << 28,
    });
    execFileSync('tar', ['-x', '-C', src], { input: tar });
    for (const dir of HARNESS_DIRS.filter((d) => !inRev.has(d)))
      await cp(path.join(ROOT, dir), path.join(src, dir), { recursive: true });
  }
  await cp(path.join(ROOT, 'bench'), path.join(src, 'bench'), {
    recursive: true,
    filter: (file) => !file.includes(`${path.sep}results`),
  });
  await symlink(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  const out = path.join(workDir, `${label}-build`);
  return { entry: await compileSources(src, out), root: out };
}

const kafka = new Kafka({ clientId: 'bench-compare', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
const machine = new MachineStats(redis, findKafkaPid(Number(brokers[0]?.split(':').pop())));
const progress = {
  phase: (label: string) => process.stderr.write(`[compare] ${label}\n`),
  advance: () => undefined,
  rate: () => undefined,
};
const baseCtx = {
  brokers,
  redisUrl,
  admin,
  redis,
  machine,
  workDir,
  progress,
  retentionMs: 60_000,
};

const variants: Variant[] = [];
for (const spec of values.ref ?? []) {
  const [rev = '', label = rev] = spec.split('=');
  const sha =
    rev === 'WORKTREE'
      ? 'working tree'
      : execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT }).toString().trim();
  progress.phase(`building ${label} (${sha})`);
  const built = await buildVariant(rev, label);
  variants.push({
    label,
    rev: sha,
    ctx: {
      ...baseCtx,
      workerEntry: built.entry,
      sourceRoot: built.root,
      runId: `${runId}-${label}`,
    },
  });
}

const orchestratorKind: SessionKind = {
  kind: 'orchestrator',
  ledger: 'redis',
  participants: true,
  ...(values['lifecycle-off']
    ? { lifecycleEvents: 'none' as const }
    : values.lifecycle
      ? { lifecycleEvents: values.lifecycle as 'saga' | 'steps' | 'none' }
      : {}),
};

async function measureOnce(
  ctx: BenchContext,
  kind: SessionKind,
  label: string,
  profileFile?: string,
) {
  const session = await Session.open(ctx, { label, kind, replyPartitions: DEFAULT_PARTITIONS });
  try {
    return await session.measure({
      label: loadLabel,
      mode: loadMode,
      ...timing,
      ...(profileFile ? { profileFile } : {}),
    });
  } finally {
    await session.close();
  }
}

const rows: Row[] = [];
const profiles: { variant: string; file: string; root: string }[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? variants : [...variants].reverse();
    if (values.raw && variants[0]) {
      const m = await measureOnce(
        variants[0].ctx,
        { kind: 'raw', kafka: true, redis: true },
        'raw',
      );
      rows.push({ round, variant: 'raw Kafka + Redis', measurement: m });
    }
    for (const variant of order) {
      const profileFile =
        values.profile && round === rounds
          ? path.join(
              path.dirname(outFile),
              `${path.basename(outFile, '.md')}-${variant.label}.cpuprofile`,
            )
          : undefined;
      const m = await measureOnce(variant.ctx, orchestratorKind, variant.label, profileFile);
      rows.push({ round, variant: variant.label, measurement: m });
      if (profileFile)
        profiles.push({ variant: variant.label, file: profileFile, root: variant.ctx.sourceRoot });
      progress.phase(
        `round ${round} ${variant.label}: ${m.sagasPerSec}/s, ${cpuPerSaga(m).toFixed(2)} ms/saga`,
      );
    }
  }
} finally {
  await admin.disconnect();
  redis.disconnect();
}

function cpuPerSaga(m: Measurement): number {
  return (m.sideA.cpuUserMs + m.sideA.cpuSystemMs) / Math.max(1, m.load.completed);
}
function cpuPerSagaB(m: Measurement): number {
  return m.sideB ? (m.sideB.cpuUserMs + m.sideB.cpuSystemMs) / Math.max(1, m.load.completed) : 0;
}
function others(m: Measurement): number {
  const ours =
    m.sideA.cpuPercent +
    (m.sideB?.cpuPercent ?? 0) +
    m.machine.redisCpuPercent +
    (m.machine.kafkaCpuPercent ?? 0);
  return Math.max(0, m.machine.busyPercent - ours);
}
const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const f = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const perRound = markdownTable([
  [
    'round',
    'system',
    'sagas/s',
    'p99 ms',
    'records/saga',
    'A CPU ms/saga',
    'B CPU ms/saga',
    'A CPU %',
    'Redis CPU %',
    'Kafka CPU %',
    'other load %',
  ],
  ...rows.map(({ round, variant, measurement: m }) => [
    String(round),
    variant,
    f(m.sagasPerSec),
    f(m.load.latency.p99Ms),
    m.recordsPerSaga === undefined ? '–' : f(m.recordsPerSaga, 1),
    f(cpuPerSaga(m), 2),
    f(cpuPerSagaB(m), 2),
    f(m.sideA.cpuPercent),
    f(m.machine.redisCpuPercent),
    f(m.machine.kafkaCpuPercent ?? 0),
    f(others(m)),
  ]),
]);
const rawRate = (round: number) =>
  rows.find((r) => r.round === round && r.variant === 'raw Kafka + Redis')?.measurement.sagasPerSec;
const summary = markdownTable([
  [
    'system',
    'median sagas/s',
    'median A CPU ms/saga',
    'median B CPU ms/saga',
    'median % of raw (same round)',
  ],
  ...[...(values.raw ? ['raw Kafka + Redis'] : []), ...variants.map((v) => v.label)].map(
    (label) => {
      const own = rows.filter((r) => r.variant === label);
      const ratios = own.flatMap((r) => {
        const raw = rawRate(r.round);
        return raw ? [(r.measurement.sagasPerSec / raw) * 100] : [];
      });
      return [
        label,
        f(median(own.map((r) => r.measurement.sagasPerSec))),
        f(median(own.map((r) => cpuPerSaga(r.measurement))), 2),
        f(median(own.map((r) => cpuPerSagaB(r.measurement))), 2),
        ratios.length ? `${f(median(ratios))} %` : '–',
      ];
    },
  ),
]);
let profileText = '';
for (const { variant, file, root } of profiles) {
  const s = summarizeProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, root, 15);
  profileText +=
    `\n### Profile: ${variant} (${path.basename(file)})\n\n` +
    markdownTable([
      ['module', 'self %'],
      ...s.modules.slice(0, 12).map((r) => [r.name, f(r.percent, 1)]),
    ]) +
    '\n\n' +
    markdownTable([
      ['function', 'self %'],
      ...s.functions.slice(0, 15).map((r) => [r.name, f(r.percent, 1)]),
    ]) +
    '\n';
}
const markdown =
  `# Side-by-side comparison ${startedAt.toISOString()}\n\n` +
  `Refs: ${variants.map((v) => `${v.label} = ${v.rev}`).join(', ')}. ` +
  `${loadLabel}, ${timing.warmupS} s warm-up + ${timing.measureS} s measured, ${rounds} rounds ` +
  `(order alternating), lifecycle events ${values['lifecycle-off'] ? 'off' : (values.lifecycle ?? 'as the ref defaults')}; ` +
  `load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}.\n\n` +
  `${summary}\n\n${perRound}\n${profileText}`;
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(outFile, markdown);
await writeFile(
  outFile.replace(/\.md$/, '.json'),
  JSON.stringify(
    { variants: variants.map(({ label, rev }) => ({ label, rev })), loadMode, timing, rows },
    null,
    2,
  ),
);
console.log(markdown);
await rm(workDir, { recursive: true, force: true });
