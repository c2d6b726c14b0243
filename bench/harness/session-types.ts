/**
 * What a bench session (session.ts) is given and gives back: its context, options, measurement
 * specs and results, and the saturation ramp's settings.
 */
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { LoadMode, LoadWindow } from '../load/load-driver.js';
import type { MachineStats, MachineWindow } from '../measure/machine-stats.js';
import type { ProcessWindow } from '../measure/process-stats.js';
import type { LedgerKind } from '../sides/participants-side.js';

export interface BenchContext {
  brokers: string[];
  redisUrl: string;
  admin: Admin;
  redis: Redis;
  machine: MachineStats;
  /** Where worker logs and CPU profiles go. */
  workDir: string;
  /** The transpiled worker entry (see compile-sources.ts). */
  workerEntry: string;
  /** Root of the transpiled sources the workers run (to shorten paths in profiles). */
  sourceRoot: string;
  runId: string;
  progress: ProgressSink;
  /** Ended sagas are kept this long in the store before the janitor may purge them. */
  retentionMs: number;
}

/** What the harness tells whoever shows progress (the CLI's bar; nothing in tests). */
export interface ProgressSink {
  phase(label: string): void;
  /** Planned seconds of measurement (warm-up included) that have passed. */
  advance(seconds: number): void;
  rate(sagasPerSec: number, inFlight: number): void;
}

export type SessionKind =
  | { kind: 'raw'; kafka: boolean; redis: boolean }
  | {
      kind: 'orchestrator';
      ledger: LedgerKind;
      /** Without participants sagas wait at their first step (in-flight memory). */
      participants: boolean;
      /** The orchestrator's lifecycle event level; its default when absent. */
      lifecycleEvents?: 'saga' | 'steps' | 'none';
      /**
       * Orchestrator processes on the same topics, consumer group and keys (the group's
       * assignment shares partitions and shards, as in production); 1 when absent. Each runs a load driver with its share of the
       * load, so every process both starts sagas and works on them.
       */
      processes?: number;
    };

export interface SessionOptions {
  label: string;
  kind: SessionKind;
  replyPartitions: number;
}

export interface MeasurementSpec {
  label: string;
  mode: LoadMode;
  warmupS: number;
  measureS: number;
  /** Profile side A during the measured window; the file is written here. */
  profileFile?: string;
  /**
   * Wait for the sagas in flight to finish afterwards (default). Off for the last measurement
   * of a session that may be over capacity: closing the session removes what is left.
   */
  drain?: boolean;
}

export interface Measurement {
  session: string;
  label: string;
  mode: LoadMode;
  replyPartitions: number;
  seconds: number;
  sagasPerSec: number;
  load: LoadWindow;
  /** Kafka records side A published per completed saga (commands and lifecycle events). */
  recordsPerSaga: number | undefined;
  sideA: ProcessWindow;
  sideB: ProcessWindow | undefined;
  machine: MachineWindow;
  /** Sagas still in flight after the drain (or, without one, when the window ended). */
  leftInFlightAfterDrain: number;
  drained: boolean;
  profileFile?: string;
  /**
   * Sessions of several orchestrator processes: each process's own window (the first is also
   * `sideA`) and the sagas its driver started and saw end; `load` is then the sum of all of them.
   */
  processes?: {
    process: ProcessWindow;
    load: LoadWindow;
    /** Of the sagas this process started, those whose end another process committed. */
    endedElsewhere: number;
  }[];
}

export interface WindowReply {
  process: ProcessWindow;
  load?: LoadWindow;
  published?: number;
  endedElsewhere?: number;
}

export interface SaturationProbe {
  inFlight: number;
  sagasPerSec: number;
  p99Ms: number;
}

export interface SaturationSearch {
  /** The in-flight count with the most completions/s. */
  inFlight: number;
  probes: SaturationProbe[];
}

/** One point of the scale curve: a closed loop at `inFlight`, side A's cost per saga. */
export interface ScalePoint {
  inFlight: number;
  seconds: number;
  sagasPerSec: number;
  /** Side A's (the orchestrator process's) CPU time over the sagas completed in the window. */
  cpuMsPerSaga: number | undefined;
  cpuPercent: number;
  eventLoopUtilization: number;
  p50Ms: number;
  p99Ms: number;
}

export const RAMP_START = 50;
export const RAMP_WARMUP_S = 1.5;
export const RAMP_MEASURE_S = 3;
export const RAMP_MAX_P99_MS = 6_000;
