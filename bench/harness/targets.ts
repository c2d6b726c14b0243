/**
 * Issue 13's targets, checked against what this run measured. Every target is listed; one the run
 * did not measure says `not measured` (with `met: undefined`), never a guess. Ratios are taken
 * between measurements of the same run, which the shared machine's load moves together.
 */
import type { BenchResults, TargetCheck } from './results.js';
import type { Measurement } from './session-types.js';

export const TARGETS = {
  /** Pure engine, CPU ms per three-step saga (`engineCost.engineMs`). */
  engineMs: 0.2,
  /** Orchestrator process CPU ms per saga at saturation. */
  cpuMsAtSaturation: 0.7,
  /** Orchestrator process CPU ms per saga at {@link LOW_RATE} sagas/s offered. */
  cpuMsAtLowRate: 2,
  /** Orchestrator process CPU with no sagas, % of one core. */
  idleCpuPercent: 1,
  /** Saturation over the raw Kafka + Redis loop's, same run. */
  shareOfKafkaRedisLoop: 0.6,
  /** Saturation over the raw Kafka-only loop's, same run. */
  shareOfKafkaLoop: 0.3,
  /** Latency p50 and p99 at {@link LOW_RATE} over the raw Kafka + Redis loop's at that rate. */
  latencyOverRawLoop: 2,
  /** Redis bytes per completed saga kept until retention (MEMORY USAGE of the store's keys). */
  completedBytes: 1_500,
  /** Redis bytes per in-flight saga. */
  inFlightBytes: 2_000,
} as const;

/** The offered rate of the low-load targets, sagas/s. */
export const LOW_RATE = 50;

export const NOT_MEASURED = 'not measured';

/** The session of the raw loop the orchestrator is compared with (and its fixed rates). */
export const RAW_KAFKA_REDIS = 'transport: Kafka + Redis';
export const RAW_KAFKA_ONLY = 'transport: Kafka only';

/** The first saturation measurement of a session, by the session's label. */
export function saturationOf(results: BenchResults, session: string): Measurement | undefined {
  return results.measurements.find((m) => m.session === session && m.mode.kind === 'closed');
}

/** Side A's CPU time over the sagas it completed in the window; undefined if none completed. */
export function cpuMsPerSaga(m: Measurement): number | undefined {
  if (m.load.completed === 0) return undefined;
  return (m.sideA.cpuUserMs + m.sideA.cpuSystemMs) / m.load.completed;
}

/** The orchestrator at `rate` offered: its own session's measurement first, else any one. */
export function orchestratorAtRate(results: BenchResults, rate: number): Measurement | undefined {
  const atRate = (m: Measurement) => m.mode.kind === 'open' && m.mode.ratePerSec === rate;
  return (
    results.measurements.find(
      (m) => m.session === `orchestrator, offered ${rate}/s` && atRate(m),
    ) ?? results.measurements.find((m) => m.session === 'orchestrator' && atRate(m))
  );
}

/** The raw Kafka + Redis loop at `rate` offered. */
export function rawAtRate(results: BenchResults, rate: number): Measurement | undefined {
  return results.measurements.find(
    (m) => m.session === RAW_KAFKA_REDIS && m.mode.kind === 'open' && m.mode.ratePerSec === rate,
  );
}

const ms = (value: number, digits = 2) =>
  `${value.toLocaleString('en-US', { maximumFractionDigits: digits })} ms`;
const count = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
const bytes = (value: number) => `${count(value)} B`;
const percent = (share: number) => `${Math.round(share * 100)} %`;

function check(figure: string, target: string, measured?: { text: string; met: boolean }) {
  return measured
    ? { figure, target, measured: measured.text, met: measured.met }
    : { figure, target, measured: NOT_MEASURED, met: undefined };
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const engine = results.engineCost;
  checks.push(
    check(
      'pure engine, CPU per three-step saga (`engineCost`)',
      `≤ ${TARGETS.engineMs.toFixed(2)} ms`,
      engine && { text: ms(engine.engineMs, 3), met: engine.engineMs <= TARGETS.engineMs },
    ),
  );

  const saturated = saturationOf(results, 'orchestrator');
  const saturatedCpu = saturated && cpuMsPerSaga(saturated);
  checks.push(
    check(
      'orchestrator CPU per saga at saturation',
      `≤ ${ms(TARGETS.cpuMsAtSaturation)}`,
      saturatedCpu === undefined
        ? undefined
        : {
            text: `${ms(saturatedCpu)} (${count(saturated?.sagasPerSec)} sagas/s)`,
            met: saturatedCpu <= TARGETS.cpuMsAtSaturation,
          },
    ),
  );

  const low = orchestratorAtRate(results, LOW_RATE);
  const lowCpu = low && cpuMsPerSaga(low);
  checks.push(
    check(
      `orchestrator CPU per saga at ${LOW_RATE} sagas/s offered`,
      `≤ ${ms(TARGETS.cpuMsAtLowRate)}`,
      low && {
        text:
          lowCpu === undefined
            ? 'no saga completed in the window'
            : `${ms(lowCpu)} (${low.sagasPerSec} sagas/s completed)`,
        met: lowCpu !== undefined && lowCpu <= TARGETS.cpuMsAtLowRate,
      },
    ),
  );

  const idle = results.measurements.find(
    (m) => m.session === 'orchestrator' && m.mode.kind === 'idle',
  );
  checks.push(
    check(
      'orchestrator CPU with no sagas at all',
      `≤ ${TARGETS.idleCpuPercent} % of a core`,
      idle && {
        text: `${idle.sideA.cpuPercent} % of a core (over ${Math.round(idle.sideA.seconds)} s)`,
        met: idle.sideA.cpuPercent <= TARGETS.idleCpuPercent,
      },
    ),
  );

  for (const [session, name, share] of [
    [RAW_KAFKA_REDIS, 'Kafka+Redis', TARGETS.shareOfKafkaRedisLoop],
    [RAW_KAFKA_ONLY, 'Kafka-only', TARGETS.shareOfKafkaLoop],
  ] as const) {
    const raw = saturationOf(results, session);
    const ratio = saturated && raw && saturated.sagasPerSec / Math.max(1, raw.sagasPerSec);
    checks.push(
      check(
        `saturation / raw ${name} loop of the same run`,
        `≥ ${percent(share)}`,
        ratio === undefined
          ? undefined
          : {
              text: `${percent(ratio)} (${count(saturated?.sagasPerSec)} / ${count(raw?.sagasPerSec)} sagas/s)`,
              met: ratio >= share,
            },
      ),
    );
  }

  const raw = rawAtRate(results, LOW_RATE);
  for (const [name, pick] of [
    ['p50', (m: Measurement) => m.load.latency.p50Ms],
    ['p99', (m: Measurement) => m.load.latency.p99Ms],
  ] as const) {
    let measured: { text: string; met: boolean } | undefined;
    if (low && raw && raw.load.completed > 0) {
      const ratio = pick(low) / Math.max(0.001, pick(raw));
      measured =
        low.load.completed === 0
          ? { text: 'no orchestrated saga completed in the window', met: false }
          : {
              text: `${ms(pick(low), 1)} / raw ${ms(pick(raw), 1)} = ${ratio.toFixed(2)}×`,
              met: ratio <= TARGETS.latencyOverRawLoop,
            };
    }
    checks.push(
      check(
        `latency ${name} at ${LOW_RATE} sagas/s offered, over the raw Kafka+Redis loop's at ${LOW_RATE}/s`,
        `≤ ${TARGETS.latencyOverRawLoop}×`,
        measured,
      ),
    );
  }

  const completed = results.redisMemory.completed;
  checks.push(
    check(
      'Redis per completed saga kept until retention',
      `≤ ${bytes(TARGETS.completedBytes)}`,
      completed && {
        text: bytes(completed.keyBytesPerSaga),
        met: completed.keyBytesPerSaga <= TARGETS.completedBytes,
      },
    ),
  );
  const inFlight = results.redisMemory.inFlight;
  checks.push(
    check(
      'Redis per in-flight saga',
      `≤ ${bytes(TARGETS.inFlightBytes)}`,
      inFlight && {
        text: bytes(inFlight.keyBytesPerSaga),
        met: inFlight.keyBytesPerSaga <= TARGETS.inFlightBytes,
      },
    ),
  );

  if (results.soak) {
    const soak = results.soak;
    checks.push({
      figure: 'orchestrator memory over the soak at half of saturation',
      measured:
        `heap ${soak.heapSlopeMbPerMin} MB/min (${soak.heapGrowthPercentOfMean} % of mean over the run), ` +
        `RSS ${soak.rssSlopeMbPerMin} MB/min`,
      target: 'flat (< 5 % growth)',
      met: soak.flat,
    });
  }
  return checks;
}
