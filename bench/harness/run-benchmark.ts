/**
 * The benchmark as a function: connects to Kafka and Redis, runs the plan of the chosen mode
 * (sessions of measurements), and returns the results; `writeResults` puts them in files.
 *
 * - `default`: the transport limit (Kafka only, Kafka + Redis — also at the fixed offered rates —,
 *   Redis only), the orchestrator idle, at saturation and at the fixed offered rates, a CPU
 *   profile at saturation, the scale curve, one against two orchestrator processes, the
 *   reply-partition variants, three diagnostic variants (participants with an in-memory ledger;
 *   lifecycle events of every step; lifecycle events off), and Redis memory per in-flight and per
 *   completed saga; then issue 13's targets checked against all of it.
 * - `scale`: the scale curve alone.
 * - `soak`: saturation, then half of it for `soakSeconds`, sampling the orchestrator's memory.
 * - `smoke`: a few seconds of each kind at a low rate, so the harness cannot rot (test suite).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { describeMachine, findKafkaPid, MachineStats } from '../measure/machine-stats.js';
import { compileSources } from './compile-sources.js';
import { defaultPlan, scalePlan, smokePlan, soakPlan } from './plans.js';
import type { BenchResults, MachineInfo, RunMode } from './results.js';
import type { BenchContext, ProgressSink } from './session-types.js';
import { checkTargets } from './targets.js';

export { plannedSeconds } from './plans.js';

export interface BenchSettings {
  brokers: string[];
  redisUrl: string;
  mode: RunMode;
  /** Sagas kept in flight at saturation; `auto` searches for it per system. */
  inFlight: number | 'auto';
  /** The saturation search stops here. */
  maxInFlight: number;
  /** Offered rates for the latency measurements, sagas/s. */
  rates: number[];
  /** Reply-topic partition counts to compare (the default run also has 12, the default). */
  replyPartitions: number[];
  soakSeconds: number;
  /** Sagas left in flight for the Redis memory measurement. */
  inFlightMemorySagas: number;
  /** Worker logs, CPU profiles and the transpiled sources the workers run. */
  workDir: string;
  /** The project root. */
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
  settings.progress?.phase('transpiling the sources the workers run');
  const sourceRoot = path.join(settings.workDir, `${runId}-build`);
  const workerEntry = await compileSources(settings.root, sourceRoot);
  const ctx: BenchContext = {
    brokers: settings.brokers,
    redisUrl: settings.redisUrl,
    admin,
    redis,
    machine: new MachineStats(redis, kafkaPid),
    workDir: settings.workDir,
    workerEntry,
    sourceRoot,
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
      maxInFlight: settings.maxInFlight,
      rates: settings.rates,
      replyPartitions: settings.replyPartitions,
      retentionMs: RETENTION_MS,
    },
    saturationSearches: [],
    measurements: [],
    redisMemory: {},
    targets: [],
    notes: [],
  };
  try {
    if (settings.mode === 'soak') await soakPlan(ctx, settings, results);
    else if (settings.mode === 'smoke') await smokePlan(ctx, settings, results);
    else if (settings.mode === 'scale') await scalePlan(ctx, settings, results);
    else await defaultPlan(ctx, settings, results);
  } finally {
    await admin.disconnect();
    redis.disconnect();
    await rm(sourceRoot, { recursive: true, force: true });
  }
  const twoProcesses = results.processScaling?.two;
  for (const m of [...results.measurements, ...(twoProcesses ? [twoProcesses] : [])]) {
    if (m.load.startErrors > 0)
      results.notes.push(`${m.session} / ${m.label}: ${m.load.startErrors} starts failed`);
    if (m.load.endedOtherwise > 0)
      results.notes.push(
        `${m.session} / ${m.label}: ${m.load.endedOtherwise} sagas did not end completed`,
      );
    if (m.leftInFlightAfterDrain > 0)
      results.notes.push(
        m.drained
          ? `${m.session} / ${m.label}: ${m.leftInFlightAfterDrain} sagas still in flight 60 s after the window`
          : `${m.session} / ${m.label}: ${m.leftInFlightAfterDrain} sagas in flight when the window ended (not drained: removed with the session)`,
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
