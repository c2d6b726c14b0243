/**
 * Issue 13's targets as the bench checks them: every row always listed, ratios taken between
 * measurements of the same run, and `not measured` (never a guess) for what a run lacks.
 */
import { expect } from 'chai';
import type { BenchResults } from '../../../bench/harness/results.js';
import type { Measurement } from '../../../bench/harness/session-types.js';
import { checkTargets, NOT_MEASURED } from '../../../bench/harness/targets.js';
import type { LoadMode } from '../../../bench/load/load-driver.js';
import type { ProcessWindow } from '../../../bench/measure/process-stats.js';

function processWindow(cpuMs: number, seconds: number): ProcessWindow {
  return {
    seconds,
    cpuUserMs: cpuMs,
    cpuSystemMs: 0,
    cpuPercent: Math.round((cpuMs / (seconds * 1000)) * 1000) / 10,
    eventLoopUtilization: 0.5,
    peakRssMb: 100,
    endRssMb: 100,
    peakHeapUsedMb: 20,
    lifetimeMaxRssMb: 100,
  };
}

function measurement(
  session: string,
  mode: LoadMode,
  figures: { completed: number; cpuMs: number; p50Ms?: number; p99Ms?: number; seconds?: number },
): Measurement {
  const seconds = figures.seconds ?? 10;
  return {
    session,
    label: mode.kind,
    mode,
    replyPartitions: 12,
    seconds,
    sagasPerSec: Math.round(figures.completed / seconds),
    load: {
      started: figures.completed,
      completed: figures.completed,
      endedOtherwise: 0,
      startErrors: 0,
      shed: 0,
      seconds,
      inFlightAtEnd: 0,
      latency: {
        count: figures.completed,
        p50Ms: figures.p50Ms ?? 0,
        p95Ms: figures.p99Ms ?? 0,
        p99Ms: figures.p99Ms ?? 0,
        maxMs: figures.p99Ms ?? 0,
        meanMs: figures.p50Ms ?? 0,
      },
    },
    recordsPerSaga: 5,
    sideA: processWindow(figures.cpuMs, seconds),
    sideB: undefined,
    machine: {} as Measurement['machine'],
    leftInFlightAfterDrain: 0,
    drained: true,
  };
}

function results(measurements: Measurement[], extra: Partial<BenchResults> = {}): BenchResults {
  return {
    runId: 'test',
    mode: 'default',
    startedAt: '',
    finishedAt: '',
    machine: {} as BenchResults['machine'],
    settings: {
      inFlight: 'auto',
      maxInFlight: 3200,
      rates: [50],
      replyPartitions: [1],
      retentionMs: 0,
    },
    saturationSearches: [],
    measurements,
    redisMemory: {},
    targets: [],
    notes: [],
    ...extra,
  };
}

const row = (checks: ReturnType<typeof checkTargets>, start: string) => {
  const found = checks.find((check) => check.figure.startsWith(start));
  if (!found) throw new Error(`no target row starting "${start}"`);
  return found;
};

describe('bench: issue 13 targets', () => {
  it('lists every target as not measured when the run measured none of them', () => {
    const checks = checkTargets(results([]));
    expect(checks).to.have.length(10);
    for (const check of checks) {
      expect(check.measured, check.figure).to.equal(NOT_MEASURED);
      expect(check.met, check.figure).to.equal(undefined);
    }
  });

  it('checks saturation against both raw loops of the same run', () => {
    const checks = checkTargets(
      results([
        measurement(
          'transport: Kafka + Redis',
          { kind: 'closed', inFlight: 400 },
          { completed: 8000, cpuMs: 1 },
        ),
        measurement(
          'transport: Kafka only',
          { kind: 'closed', inFlight: 400 },
          { completed: 20000, cpuMs: 1 },
        ),
        // 500 sagas/s at 0.6 ms each.
        measurement(
          'orchestrator',
          { kind: 'closed', inFlight: 800 },
          { completed: 5000, cpuMs: 3000 },
        ),
      ]),
    );
    expect(row(checks, 'saturation / raw Kafka+Redis')).to.include({
      measured: '63 % (500 / 800 sagas/s)',
      met: true,
    });
    expect(row(checks, 'saturation / raw Kafka-only')).to.include({
      measured: '25 % (500 / 2,000 sagas/s)',
      met: false,
    });
    expect(row(checks, 'orchestrator CPU per saga at saturation').met).to.equal(true);
  });

  it('divides the latency at 50/s by the raw Kafka + Redis loop’s at 50/s, p50 and p99 apart', () => {
    const open50: LoadMode = { kind: 'open', ratePerSec: 50 };
    const checks = checkTargets(
      results([
        measurement('transport: Kafka + Redis', open50, {
          completed: 500,
          cpuMs: 100,
          p50Ms: 20,
          p99Ms: 100,
        }),
        measurement('orchestrator, offered 50/s', open50, {
          completed: 500,
          cpuMs: 1500,
          p50Ms: 30,
          p99Ms: 250,
        }),
        // Another rate is not 50/s: it must not be read as the low-load figure.
        measurement(
          'orchestrator, offered 200/s',
          { kind: 'open', ratePerSec: 200 },
          { completed: 2000, cpuMs: 1 },
        ),
      ]),
    );
    expect(row(checks, 'latency p50').measured).to.match(/= 1\.50×$/);
    expect(row(checks, 'latency p50').met).to.equal(true);
    expect(row(checks, 'latency p99').measured).to.match(/= 2\.50×$/);
    expect(row(checks, 'latency p99').met).to.equal(false);
    expect(row(checks, 'orchestrator CPU per saga at 50')).to.include({
      measured: '3 ms (50 sagas/s completed)',
      met: false,
    });
  });

  it('reads idle CPU in % of a core and Redis bytes against their limits', () => {
    const checks = checkTargets(
      results(
        [measurement('orchestrator', { kind: 'idle' }, { completed: 0, cpuMs: 200, seconds: 25 })],
        {
          redisMemory: {
            completed: { sagas: 100, keyBytesPerSaga: 1400, ledgerBytesPerSaga: 600 },
            inFlight: { sagas: 100, keyBytesPerSaga: 2100, usedMemoryDeltaBytesPerSaga: 2200 },
          },
        },
      ),
    );
    expect(row(checks, 'orchestrator CPU with no sagas')).to.include({
      measured: '0.8 % of a core (over 25 s)',
      met: true,
    });
    expect(row(checks, 'Redis per completed saga')).to.include({ measured: '1,400 B', met: true });
    expect(row(checks, 'Redis per in-flight saga')).to.include({ measured: '2,100 B', met: false });
  });
});
