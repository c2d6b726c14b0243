/**
 * The shape of one benchmark run's results, as written to `bench/results/<date>.json` and
 * rendered to the Markdown table next to it.
 */
import type { ProfileSummary } from '../measure/profile-summary.js';
import type { MemorySample } from '../measure/process-stats.js';
import type { EngineCost } from '../load/engine-cost.js';
import type { Measurement, SaturationSearch, ScalePoint } from './session-types.js';

export type RunMode = 'default' | 'soak' | 'smoke' | 'scale';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  kafkaVersion: string;
  redisVersion: string;
  /** 1, 5 and 15 minute load averages when the run started (other people's work included). */
  loadAverageAtStart: number[];
}

/** Bytes per saga in its hash (record), its history list, and its share of the shard keys. */
export interface MemoryBreakdown {
  record: number;
  history: number;
  shard: number;
}

export interface RedisMemory {
  /** Sagas left waiting for their first reply (no participants running). */
  inFlight?: {
    sagas: number;
    /** INFO used_memory after − before, per saga (moved by anyone else using the Redis too). */
    usedMemoryDeltaBytesPerSaga: number;
    /** Sum of MEMORY USAGE over the session's keys, per saga (exact for our keys). */
    keyBytesPerSaga: number;
    breakdown?: MemoryBreakdown;
  };
  /** Completed sagas kept until their retention passes. */
  completed?: {
    sagas: number;
    keyBytesPerSaga: number;
    breakdown?: MemoryBreakdown;
    /** The participants' dedupe-ledger records (3 per saga), per saga. */
    ledgerBytesPerSaga: number;
  };
}

export interface SoakResult {
  offeredPerSec: number;
  seconds: number;
  measurement: Measurement;
  samples: MemorySample[];
  /** Least-squares slopes over the samples after the first minute (warm-up), MB per minute. */
  rssSlopeMbPerMin: number;
  heapSlopeMbPerMin: number;
  /** Heap growth the slope predicts over the whole run, against the mean heap. */
  heapGrowthPercentOfMean: number;
  flat: boolean;
}

/** One row of issue 13's table: the figure, what this run measured, the target, met or not. */
export interface TargetCheck {
  figure: string;
  /** `not measured` when the run did not measure it (never a guess). */
  measured: string;
  target: string;
  /** Undefined when not measured. */
  met: boolean | undefined;
}

/** CPU per saga and p99 against sagas in flight, one orchestrator process (closed loop). */
export interface ScaleCurve {
  session: string;
  warmupS: number;
  measureS: number;
  points: ScalePoint[];
  /** The level whose p99 passed the limit, after which the curve stopped. */
  stoppedAt?: number;
}

/** Saturation of one orchestrator process against two on the same Kafka, Redis and topics. */
export interface ProcessScaling {
  /** The one-process saturation measurement of this run (the `orchestrator` session's). */
  one?: {
    inFlight: number;
    sagasPerSec: number;
    cpuMsPerSaga: number | undefined;
    /** Absent in results written before these were kept. */
    cpuPercent?: number;
    p99Ms?: number;
  };
  /** Both processes together; `processes` has each one's own window. */
  two: Measurement;
}

export interface BenchResults {
  runId: string;
  mode: RunMode;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  settings: {
    /** Sagas in flight at saturation, or `auto` (searched per system). */
    inFlight: number | 'auto';
    maxInFlight: number;
    rates: number[];
    replyPartitions: number[];
    retentionMs: number;
  };
  /** The orchestrator's CPU per saga with no I/O (pure engine, and engine + step preparation). */
  engineCost?: EngineCost;
  /** How saturation was found, per session: each probe's in-flight count and result. */
  saturationSearches: ({ session: string } & SaturationSearch)[];
  measurements: Measurement[];
  redisMemory: RedisMemory;
  profile?: { file: string; summary: ProfileSummary };
  soak?: SoakResult;
  scaleCurve?: ScaleCurve;
  processScaling?: ProcessScaling;
  targets: TargetCheck[];
  /** Things that went wrong without stopping the run (start errors, undrained sagas). */
  notes: string[];
}
