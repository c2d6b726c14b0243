/**
 * The benchmark as a function: connects to Kafka and Redis, runs the plan of the chosen mode
 * (sessions of measurements), and returns the results; `writeResults` puts them in files.
 *
 * - `default`: the transport limit (Kafka only, Kafka + Redis, Redis only), the orchestrator at
 *   saturation and at the fixed offered rates, a CPU profile at saturation, the reply-partition
 *   variants, two diagnostic variants (participants with an in-memory ledger; lifecycle events
 *   off), and Redis memory per in-flight and per completed saga.
 * - `soak`: saturation, then half of it for `soakSeconds`, sampling the orchestrator's memory.
 * - `smoke`: a few seconds of each kind at a low rate, so the harness cannot rot (test suite).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { describeMachine, findKafkaPid, MachineStats } from '../measure/machine-stats.js';
import { summarizeProfile, type CpuProfile } from '../measure/profile-summary.js';
import { measureCompletedMemory, measureInFlightMemory } from './memory-probes.js';
import type { BenchResults, MachineInfo, RunMode } from './results.js';
import {
  Session,
  type BenchContext,
  type Measurement,
  type MeasurementSpec,
  type ProgressSink,
  type SessionOptions,
} from './session.js';
import { DEFAULT_PARTITIONS } from './session-infra.js';
import { runSoak } from './soak.js';
import { checkTargets } from './targets.js';

export interface BenchSettings {
  brokers: string[];
  redisUrl: string;
  mode: RunMode;
  /** Sagas kept in flight at saturation. */
  inFlight: number;
  /** Offered rates for the latency measurements, sagas/s. */
  rates: number[];
  /** Reply-topic partition counts to compare (the default run also has 12, the default). */
  replyPartitions: number[];
  soakSeconds: number;
  /** Sagas left in flight for the Redis memory measurement. */
  inFlightMemorySagas: number;
  /** Worker logs and CPU profiles. */
  workDir: string;
  /** The project root (to shorten paths in the profile summary). */
  root: string;
  progress?: ProgressSink;
}

const quiet: ProgressSink = {
  phase: () => undefined,
  advance: () => undefined,
  rate: () => undefined,
};

/** Ended sagas are purged after this: the janitor's work is part of the steady state measured. */
const RETENTION_MS = 60_000;

/** Warm-up and measured seconds of each kind of measurement. */
const TIMING = {
  raw: { warmupS: 4, measureS: 12 },
  saturation: { warmupS: 5, measureS: 20 },
  rate: { warmupS: 3, measureS: 15 },
  profiled: { warmupS: 3, measureS: 10 },
  variant: { warmupS: 4, measureS: 10 },
  smoke: { warmupS: 1, measureS: 3 },
  soakSaturation: { warmupS: 5, measureS: 15 },
} as const;

const span = (t: { warmupS: number; measureS: number }) => t.warmupS + t.measureS;

/** Seconds of warm-up and measurement the mode plans (set-up and clean-up come on top). */
export function plannedSeconds(
  s: Pick<BenchSettings, 'mode' | 'rates' | 'replyPartitions' | 'soakSeconds'>,
): number {
  if (s.mode === 'smoke') return 2 * span(TIMING.smoke);
  if (s.mode === 'soak') return span(TIMING.soakSaturation) + s.soakSeconds;
  return (
    3 * span(TIMING.raw) +
    span(TIMING.saturation) +
    s.rates.length * span(TIMING.rate) +
    span(TIMING.profiled) +
    (s.replyPartitions.length + 2) * span(TIMING.variant)
  );
}

export async function runBenchmark(settings: BenchSettings): Promise<BenchResults> {
  const startedAt = new Date();
  const runId = `bench-${startedAt.toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(2).toString('hex')}`;
  await mkdir(settings.workDir, { recursive: true });
  const kafka = new Kafka({
    clientId: 'bench-driver',
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 3 });
  const kafkaPort = Number(settings.brokers[0]?.split(':').pop());
  const kafkaPid = findKafkaPid(kafkaPort);
  const ctx: BenchContext = {
    brokers: settings.brokers,
    redisUrl: settings.redisUrl,
    admin,
    redis,
    machine: new MachineStats(redis, kafkaPid),
    workDir: settings.workDir,
    runId,
    progress: settings.progress ?? quiet,
    retentionMs: RETENTION_MS,
  };
  const results: BenchResults = {
    runId,
    mode: settings.mode,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    machine: await machineInfo(redis, kafkaPid),
    settings: {
      inFlight: settings.inFlight,
      rates: settings.rates,
      replyPartitions: settings.replyPartitions,
      retentionMs: RETENTION_MS,
    },
    measurements: [],
    redisMemory: {},
    targets: [],
    notes: [],
  };
  try {
    if (settings.mode === 'soak') await soakPlan(ctx, settings, results);
    else if (settings.mode === 'smoke') await smokePlan(ctx, settings, results);
    else await defaultPlan(ctx, settings, results);
  } finally {
    await admin.disconnect();
    redis.disconnect();
  }
  for (const m of results.measurements) {
    if (m.load.startErrors > 0)
      results.notes.push(`${m.session} / ${m.label}: ${m.load.startErrors} starts failed`);
    if (m.load.endedOtherwise > 0)
      results.notes.push(
        `${m.session} / ${m.label}: ${m.load.endedOtherwise} sagas did not end completed`,
      );
    if (m.leftInFlightAfterDrain > 0)
      results.notes.push(
        `${m.session} / ${m.label}: ${m.leftInFlightAfterDrain} sagas still in flight 60 s after the window`,
      );
    if (m.load.shed > 0)
      results.notes.push(
        `${m.session} / ${m.label}: ${m.load.shed} starts shed (too many in flight)`,
      );
  }
  results.targets = checkTargets(results);
  results.finishedAt = new Date().toISOString();
  return results;
}

/** Runs `specs` in a fresh session, closing it whatever happens. */
async function inSession(
  ctx: BenchContext,
  options: SessionOptions,
  specs: readonly MeasurementSpec[],
  results: BenchResults,
  after?: (session: Session, measured: Measurement[]) => Promise<void>,
  execArgvA: string[] = [],
): Promise<Measurement[]> {
  const session = await Session.open(ctx, options, execArgvA);
  const measured: Measurement[] = [];
  try {
    for (const spec of specs) {
      const measurement = await session.measure(spec);
      measured.push(measurement);
      results.measurements.push(measurement);
    }
    await after?.(session, measured);
  } finally {
    await session.close();
  }
  return measured;
}

const saturation = (
  inFlight: number,
  timing: { warmupS: number; measureS: number },
): MeasurementSpec => ({
  label: `saturation (${inFlight} in flight)`,
  mode: { kind: 'closed', inFlight },
  ...timing,
});

const orchestratorKind = {
  kind: 'orchestrator',
  ledger: 'redis',
  participants: true,
  publishLifecycleEvents: true,
} as const;

async function defaultPlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  const sat = saturation(s.inFlight, TIMING.raw);
  for (const [label, kafka, redis] of [
    ['transport: Kafka only', true, false],
    ['transport: Kafka + Redis', true, true],
    ['transport: Redis only', false, true],
  ] as const) {
    await inSession(
      ctx,
      { label, kind: { kind: 'raw', kafka, redis }, replyPartitions: DEFAULT_PARTITIONS },
      [sat],
      results,
    );
  }

  const profileFile = path.join(s.workDir, `${ctx.runId}-orchestrator.cpuprofile`);
  await inSession(
    ctx,
    { label: 'orchestrator', kind: orchestratorKind, replyPartitions: DEFAULT_PARTITIONS },
    [
      saturation(s.inFlight, TIMING.saturation),
      ...s.rates.map((rate) => ({
        label: `offered ${rate}/s`,
        mode: { kind: 'open', ratePerSec: rate } as const,
        ...TIMING.rate,
      })),
      {
        ...saturation(s.inFlight, TIMING.profiled),
        label: 'saturation, CPU-profiled',
        profileFile,
      },
    ],
    results,
    async (session) => {
      results.redisMemory.completed = await measureCompletedMemory(ctx, session);
    },
  );
  const profile = JSON.parse(await readFile(profileFile, 'utf8')) as CpuProfile;
  results.profile = { file: profileFile, summary: summarizeProfile(profile, s.root) };

  for (const partitions of s.replyPartitions) {
    await inSession(
      ctx,
      {
        label: `orchestrator, ${partitions} reply partitions`,
        kind: orchestratorKind,
        replyPartitions: partitions,
      },
      [saturation(s.inFlight, TIMING.variant)],
      results,
    );
  }
  await inSession(
    ctx,
    {
      label: 'orchestrator, participants with in-memory ledger',
      kind: { ...orchestratorKind, ledger: 'memory' },
      replyPartitions: DEFAULT_PARTITIONS,
    },
    [saturation(s.inFlight, TIMING.variant)],
    results,
  );
  await inSession(
    ctx,
    {
      label: 'orchestrator, lifecycle events off',
      kind: { ...orchestratorKind, publishLifecycleEvents: false },
      replyPartitions: DEFAULT_PARTITIONS,
    },
    [saturation(s.inFlight, TIMING.variant)],
    results,
  );
  results.redisMemory.inFlight = await measureInFlightMemory(ctx, s.inFlightMemorySagas);
}

async function soakPlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  results.soak = await runSoak(
    ctx,
    saturation(s.inFlight, TIMING.soakSaturation),
    s.soakSeconds,
    results,
  );
}

async function smokePlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  const low = (rate: number): MeasurementSpec => ({
    label: `offered ${rate}/s`,
    mode: { kind: 'open', ratePerSec: rate },
    ...TIMING.smoke,
  });
  await inSession(
    ctx,
    {
      label: 'transport: Kafka + Redis',
      kind: { kind: 'raw', kafka: true, redis: true },
      replyPartitions: 2,
    },
    [low(s.rates[0] ?? 20)],
    results,
  );
  await inSession(
    ctx,
    { label: 'orchestrator', kind: orchestratorKind, replyPartitions: 2 },
    [low(s.rates[0] ?? 20)],
    results,
  );
}

async function machineInfo(redis: Redis, kafkaPid: number | undefined): Promise<MachineInfo> {
  const info = await redis.info('server');
  let kafkaVersion = 'unknown';
  if (kafkaPid !== undefined) {
    const cmdline = await readFile(`/proc/${kafkaPid}/cmdline`, 'utf8').catch(() => '');
    kafkaVersion = /kafka[-_](?:2\.13-)?(\d+\.\d+\.\d+)/.exec(cmdline)?.[1] ?? 'unknown';
  }
  return {
    ...describeMachine(),
    node: process.version,
    kafkaVersion,
    redisVersion: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
