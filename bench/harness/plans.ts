/**
 * What each mode measures, in order. Every measurement runs in a session of its own topics and
 * keys; saturation is found per system (see `Session.findSaturation`) unless `--in-flight` fixes it.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { summarizeProfile, type CpuProfile } from '../measure/profile-summary.js';
import type { EngineCost } from '../load/engine-cost.js';
import { WorkerHandle } from '../workers/rpc.js';
import { measureCompletedMemory, measureInFlightMemory } from './memory-probes.js';
import type { BenchResults, ProcessScaling, ScaleCurve } from './results.js';
import type { BenchSettings } from './run-benchmark.js';
import { Session } from './session.js';
import {
  RAMP_MEASURE_S,
  RAMP_WARMUP_S,
  type BenchContext,
  type MeasurementSpec,
  type SessionOptions,
} from './session-types.js';
import { DEFAULT_PARTITIONS } from './session-infra.js';
import { runSoak } from './soak.js';
import { cpuMsPerSaga, RAW_KAFKA_ONLY, RAW_KAFKA_REDIS, saturationOf } from './targets.js';

/** Warm-up and measured seconds of each kind of measurement. */
export const TIMING = {
  raw: { warmupS: 4, measureS: 12 },
  // Idle CPU of a few % of a core needs a long window to be read to 1 %: 25 s after 5 s of rest
  // once the orchestrator reported ready.
  idle: { warmupS: 5, measureS: 25 },
  saturation: { warmupS: 5, measureS: 20 },
  rate: { warmupS: 3, measureS: 15 },
  profiled: { warmupS: 3, measureS: 10 },
  variant: { warmupS: 4, measureS: 10 },
  smoke: { warmupS: 1, measureS: 3 },
  soakSaturation: { warmupS: 5, measureS: 15 },
  scale: { warmupS: 2, measureS: 5 },
  twoProcesses: { warmupS: 5, measureS: 15 },
  smokeScale: { warmupS: 1, measureS: 2 },
} as const;

/** Sagas in flight of the scale curve's points (closed loop, one orchestrator process). */
export const SCALE_LEVELS = [50, 100, 200, 400, 800, 1_600, 3_200] as const;
const SMOKE_SCALE_LEVELS = [10, 20] as const;
/** Seconds a session takes to set up and clean up (topics, worker start, consumer groups). */
const SESSION_OVERHEAD_S = 15;

type Timing = { warmupS: number; measureS: number };
const span = (t: Timing) => t.warmupS + t.measureS;
/** A saturation search usually takes about this many probes. */
const TYPICAL_PROBES = 4;
const rampSpan = (s: Pick<BenchSettings, 'inFlight'>) =>
  s.inFlight === 'auto' ? TYPICAL_PROBES * (RAMP_WARMUP_S + RAMP_MEASURE_S) : 0;

const scaleSpan = (levels: readonly number[], timing: Timing) => levels.length * span(timing);

/**
 * Seconds of warm-up and measurement the mode plans (the progress bar's length). `withOverhead`
 * adds an estimate of each session's set-up and clean-up, for the run's planned wall time.
 */
export function plannedSeconds(
  s: Pick<BenchSettings, 'mode' | 'rates' | 'replyPartitions' | 'soakSeconds' | 'inFlight'>,
  withOverhead = false,
): number {
  const overhead = (sessions: number) => (withOverhead ? sessions * SESSION_OVERHEAD_S : 0);
  if (s.mode === 'smoke') {
    return 3 * span(TIMING.smoke) + scaleSpan(SMOKE_SCALE_LEVELS, TIMING.smokeScale) + overhead(3);
  }
  if (s.mode === 'soak') {
    return rampSpan(s) + span(TIMING.soakSaturation) + s.soakSeconds + overhead(1);
  }
  if (s.mode === 'scale') return scaleSpan(SCALE_LEVELS, TIMING.scale) + overhead(1);
  return (
    3 * (rampSpan(s) + span(TIMING.raw)) +
    s.rates.length * span(TIMING.rate) +
    rampSpan(s) +
    span(TIMING.idle) +
    span(TIMING.saturation) +
    (s.rates.length + 1) * span(TIMING.rate) +
    span(TIMING.profiled) +
    scaleSpan(SCALE_LEVELS, TIMING.scale) +
    rampSpan(s) +
    span(TIMING.twoProcesses) +
    (s.replyPartitions.length + 3) * span(TIMING.variant) +
    overhead(3 + 1 + s.rates.length + 1 + 1 + s.replyPartitions.length + 3 + 1)
  );
}

const orchestratorKind = {
  kind: 'orchestrator',
  ledger: 'redis',
  participants: true,
} as const;

const saturation = (inFlight: number, timing: Timing): MeasurementSpec => ({
  label: `saturation (${inFlight} in flight)`,
  mode: { kind: 'closed', inFlight },
  ...timing,
});

/**
 * Opens a session, runs the measurements `first` (on the fresh system), finds its saturation
 * (when asked), runs the measurements `specs(inFlight)` gives, runs `after`, and closes the
 * session whatever happens. Returns the in-flight count used.
 */
async function inSession(
  ctx: BenchContext,
  s: BenchSettings,
  results: BenchResults,
  options: SessionOptions,
  specs: (inFlight: number) => MeasurementSpec[],
  extra: {
    inFlight?: number;
    first?: MeasurementSpec[];
    after?: (session: Session) => Promise<void>;
    execArgv?: string[];
  } = {},
): Promise<number> {
  const session = await Session.open(ctx, options, extra.execArgv ?? []);
  try {
    for (const spec of extra.first ?? []) results.measurements.push(await session.measure(spec));
    let inFlight = extra.inFlight ?? (s.inFlight === 'auto' ? undefined : s.inFlight);
    if (inFlight === undefined) {
      const search = await session.findSaturation(s.maxInFlight);
      results.saturationSearches.push({ session: options.label, ...search });
      inFlight = search.inFlight;
    }
    for (const spec of specs(inFlight)) {
      results.measurements.push(await session.measure(spec));
    }
    await extra.after?.(session);
    return inFlight;
  } finally {
    await session.close();
  }
}

async function measureEngine(ctx: BenchContext, results: BenchResults): Promise<void> {
  ctx.progress.phase('engine alone: CPU per saga without I/O');
  const worker = WorkerHandle.spawn(
    ctx.workerEntry,
    'engine',
    path.join(ctx.workDir, `${ctx.runId}-engine.log`),
  );
  try {
    results.engineCost = await worker.call<EngineCost>('engineCost', { sagas: 10_000 });
  } finally {
    await worker.close();
  }
}

export async function defaultPlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  await measureEngine(ctx, results);
  const raw = (label: string, kafka: boolean, redis: boolean): SessionOptions => ({
    label,
    kind: { kind: 'raw', kafka, redis },
    replyPartitions: DEFAULT_PARTITIONS,
  });
  const rawSat = (n: number) => [saturation(n, TIMING.raw)];
  // The raw Kafka + Redis loop also at the orchestrator's fixed rates, for the latency ratios.
  // Lowest first, each drained but the last: a rate over the loop's capacity comes last.
  const rates = [...s.rates].sort((a, b) => a - b);
  const rawAtRates = (n: number): MeasurementSpec[] => [
    saturation(n, TIMING.raw),
    ...rates.map((rate, i) => ({
      label: `offered ${rate}/s`,
      mode: { kind: 'open' as const, ratePerSec: rate },
      ...TIMING.rate,
      drain: i < rates.length - 1,
    })),
  ];
  await inSession(ctx, s, results, raw(RAW_KAFKA_REDIS, true, true), rawAtRates);
  await inSession(ctx, s, results, raw(RAW_KAFKA_ONLY, true, false), rawSat);
  await inSession(ctx, s, results, raw('transport: Redis only', false, true), rawSat);

  const profileFile = path.join(ctx.workDir, `${ctx.runId}-orchestrator.cpuprofile`);
  let halfRate = 1;
  const orchestratorInFlight = await inSession(
    ctx,
    s,
    results,
    { label: 'orchestrator', kind: orchestratorKind, replyPartitions: DEFAULT_PARTITIONS },
    (n) => [
      saturation(n, TIMING.saturation),
      { ...saturation(n, TIMING.profiled), label: 'saturation, CPU-profiled', profileFile },
    ],
    {
      // Idle first, on the orchestrator just started: after load, the janitor's purge of the
      // ended sagas (retention 60 s) and the drain's tail would be counted as idle work.
      first: [{ label: 'idle (no sagas)', mode: { kind: 'idle' }, ...TIMING.idle }],
      after: async (session) => {
        results.redisMemory.completed = await measureCompletedMemory(ctx, session);
        // Latency where this machine can keep up: half of what saturation completed.
        const saturated = results.measurements.find(
          (m) => m.session === 'orchestrator' && m.label.startsWith('saturation ('),
        );
        halfRate = Math.max(1, Math.round((saturated?.sagasPerSec ?? 2) / 2));
        results.measurements.push(
          await session.measure({
            label: `offered ${halfRate}/s (half of saturation)`,
            mode: { kind: 'open', ratePerSec: halfRate },
            ...TIMING.rate,
          }),
        );
      },
    },
  );
  const profile = JSON.parse(await readFile(profileFile, 'utf8')) as CpuProfile;
  results.profile = { file: profileFile, summary: summarizeProfile(profile, ctx.sourceRoot) };

  // Each fixed rate in a session of its own: a rate above capacity leaves a backlog (and step
  // timeouts) behind that would spoil whatever was measured after it.
  for (const rate of s.rates) {
    await inSession(
      ctx,
      s,
      results,
      {
        label: `orchestrator, offered ${rate}/s`,
        kind: orchestratorKind,
        replyPartitions: DEFAULT_PARTITIONS,
      },
      () => [
        {
          label: `offered ${rate}/s`,
          mode: { kind: 'open', ratePerSec: rate },
          ...TIMING.rate,
          drain: false,
        },
      ],
      { inFlight: orchestratorInFlight },
    );
  }

  results.scaleCurve = await measureScaleCurve(ctx, TIMING.scale);
  results.processScaling = await measureTwoProcesses(ctx, s, results, TIMING.twoProcesses);

  const variant = (label: string, kind: SessionOptions['kind'], replyPartitions: number) =>
    inSession(
      ctx,
      s,
      results,
      { label, kind, replyPartitions },
      (n) => [saturation(n, TIMING.variant)],
      { inFlight: orchestratorInFlight },
    );
  for (const partitions of s.replyPartitions) {
    await variant(`orchestrator, ${partitions} reply partitions`, orchestratorKind, partitions);
  }
  await variant(
    'orchestrator, participants with in-memory ledger',
    { ...orchestratorKind, ledger: 'memory' },
    DEFAULT_PARTITIONS,
  );
  await variant(
    'orchestrator, lifecycle events of every step',
    { ...orchestratorKind, lifecycleEvents: 'steps' },
    DEFAULT_PARTITIONS,
  );
  await variant(
    'orchestrator, lifecycle events off',
    { ...orchestratorKind, lifecycleEvents: 'none' },
    DEFAULT_PARTITIONS,
  );
  results.redisMemory.inFlight = await measureInFlightMemory(ctx, s.inFlightMemorySagas);
}

/** The scale curve in a session of its own (see `Session.scaleCurve`). */
async function measureScaleCurve(
  ctx: BenchContext,
  timing: Timing,
  levels: readonly number[] = SCALE_LEVELS,
): Promise<ScaleCurve> {
  const label = 'orchestrator, scale curve';
  const session = await Session.open(ctx, {
    label,
    kind: orchestratorKind,
    replyPartitions: DEFAULT_PARTITIONS,
  });
  try {
    const curve = await session.scaleCurve(levels, timing);
    return { session: label, ...timing, ...curve };
  } finally {
    await session.close();
  }
}

/**
 * Two orchestrator processes on the same topics, consumer group and keys, each driving half of
 * the load: saturation searched for the pair (unless `--in-flight` fixes it), then measured; set
 * beside this run's one-process saturation.
 */
async function measureTwoProcesses(
  ctx: BenchContext,
  s: Pick<BenchSettings, 'inFlight' | 'maxInFlight'>,
  results: BenchResults,
  timing: Timing,
): Promise<ProcessScaling> {
  const label = 'orchestrator, two processes';
  const session = await Session.open(ctx, {
    label,
    kind: { ...orchestratorKind, processes: 2 },
    replyPartitions: DEFAULT_PARTITIONS,
  });
  try {
    let inFlight = s.inFlight === 'auto' ? undefined : s.inFlight;
    if (inFlight === undefined) {
      const search = await session.findSaturation(s.maxInFlight);
      results.saturationSearches.push({ session: label, ...search });
      inFlight = search.inFlight;
    }
    const two = await session.measure(saturation(inFlight, timing));
    const one = saturationOf(results, 'orchestrator');
    return {
      two,
      ...(one && one.mode.kind === 'closed'
        ? {
            one: {
              inFlight: one.mode.inFlight,
              sagasPerSec: one.sagasPerSec,
              cpuMsPerSaga: cpuMsPerSaga(one),
              cpuPercent: one.sideA.cpuPercent,
              p99Ms: one.load.latency.p99Ms,
            },
          }
        : {}),
    };
  } finally {
    await session.close();
  }
}

/** `--scale`: the scale curve alone. */
export async function scalePlan(ctx: BenchContext, _s: BenchSettings, results: BenchResults) {
  results.scaleCurve = await measureScaleCurve(ctx, TIMING.scale);
}

export async function soakPlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  results.soak = await runSoak(ctx, s, results, TIMING.soakSaturation);
}

export async function smokePlan(ctx: BenchContext, s: BenchSettings, results: BenchResults) {
  const low = (rate: number): MeasurementSpec[] => [
    { label: `offered ${rate}/s`, mode: { kind: 'open', ratePerSec: rate }, ...TIMING.smoke },
  ];
  const rate = s.rates[0] ?? 20;
  await inSession(
    ctx,
    s,
    results,
    {
      label: 'transport: Kafka + Redis',
      kind: { kind: 'raw', kafka: true, redis: true },
      replyPartitions: 2,
    },
    () => low(rate),
    { inFlight: 0 },
  );
  await inSession(
    ctx,
    s,
    results,
    { label: 'orchestrator', kind: orchestratorKind, replyPartitions: 2 },
    () => low(rate),
    {
      inFlight: 0,
      after: async (session) => {
        const curve = await session.scaleCurve(SMOKE_SCALE_LEVELS, TIMING.smokeScale);
        results.scaleCurve = { session: 'orchestrator', ...TIMING.smokeScale, ...curve };
      },
    },
  );
  results.processScaling = await measureTwoProcesses(
    ctx,
    { inFlight: 20, maxInFlight: 20 },
    results,
    TIMING.smoke,
  );
}
