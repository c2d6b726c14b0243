/**
 * One bench session: fresh topics and keys under their own prefix, side A and side B worker
 * processes started on them, any number of measurements, then everything removed again.
 *
 * A measurement: offer load in a mode, let it settle (warm-up), mark every counter, measure,
 * read every counter, then stop offering and let what is in flight finish, so the next
 * measurement starts from a quiet system.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { LoadMode, LoadWindow } from '../load/load-driver.js';
import type { MachineStats, MachineWindow } from '../measure/machine-stats.js';
import type { ProcessWindow } from '../measure/process-stats.js';
import type { LedgerKind } from '../sides/participants-side.js';
import { WorkerHandle } from '../workers/rpc.js';
import { createSessionTopics, removeSession } from './session-infra.js';

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
}

interface WindowReply {
  process: ProcessWindow;
  load?: LoadWindow;
  published?: number;
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

export const RAMP_START = 50;
export const RAMP_WARMUP_S = 1.5;
export const RAMP_MEASURE_S = 3;
export const RAMP_MAX_P99_MS = 6_000;

let sessionCounter = 0;

export class Session {
  private lastProgress = { at: performance.now(), completed: 0 };

  private constructor(
    private readonly ctx: BenchContext,
    readonly options: SessionOptions,
    readonly prefix: string,
    readonly sideA: WorkerHandle,
    readonly sideB: WorkerHandle | undefined,
  ) {
    sideA.on('progress', (data) => {
      const { completed, inFlight } = data as { completed: number; inFlight: number };
      const now = performance.now();
      const rate =
        ((completed - this.lastProgress.completed) / (now - this.lastProgress.at)) * 1000;
      this.lastProgress = { at: now, completed };
      ctx.progress.rate(Math.max(0, Math.round(rate)), inFlight);
    });
  }

  /** Creates the topics and starts both sides; on failure removes what it made. */
  static async open(ctx: BenchContext, options: SessionOptions, execArgvA: string[] = []) {
    sessionCounter += 1;
    const prefix = `${ctx.runId}-s${String(sessionCounter).padStart(2, '0')}`;
    ctx.progress.phase(`${options.label}: setting up`);
    const { kind } = options;
    const log = (role: string) => path.join(ctx.workDir, `${prefix}-${role}.log`);
    const sideA = WorkerHandle.spawn(ctx.workerEntry, 'a', log('a'), execArgvA);
    const needsB = kind.kind === 'raw' ? kind.kafka : kind.participants;
    const sideB = needsB ? WorkerHandle.spawn(ctx.workerEntry, 'b', log('b')) : undefined;
    const session = new Session(ctx, options, prefix, sideA, sideB);
    try {
      await createSessionTopics(ctx.admin, prefix, options.replyPartitions);
      const common = { brokers: ctx.brokers, redisUrl: ctx.redisUrl, topicPrefix: prefix };
      if (kind.kind === 'raw') {
        await Promise.all([
          sideA.call('startRawRequester', {
            ...common,
            keyPrefix: prefix,
            idPrefix: `${prefix}-`,
            kafka: kind.kafka,
            redis: kind.redis,
          }),
          sideB?.call('startRawResponder', common),
        ]);
      } else {
        await Promise.all([
          sideA.call('startOrchestrator', {
            ...common,
            keyPrefix: prefix,
            idPrefix: `${prefix}-`,
            retentionMs: ctx.retentionMs,
            ...(kind.lifecycleEvents ? { lifecycleEvents: kind.lifecycleEvents } : {}),
            // Read only by the orchestrator side of refs from before the one lifecycle setting.
            publishLifecycleEvents: kind.lifecycleEvents !== 'none',
          }),
          sideB?.call('startParticipants', { ...common, keyPrefix: prefix, ledger: kind.ledger }),
        ]);
      }
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async measure(spec: MeasurementSpec): Promise<Measurement> {
    const { ctx, sideA, sideB } = this;
    ctx.progress.phase(`${this.options.label}: ${spec.label} (warm-up)`);
    await sideA.call('load', spec.mode);
    await this.wait(spec.warmupS);
    await Promise.all([sideA.call('mark'), sideB?.call('mark'), ctx.machine.mark()]);
    if (spec.profileFile) await sideA.call('profileStart');
    ctx.progress.phase(`${this.options.label}: ${spec.label}`);
    await this.wait(spec.measureS);
    const [a, b, machine] = await Promise.all([
      sideA.call<WindowReply>('window'),
      sideB?.call<WindowReply>('window'),
      ctx.machine.window(),
    ]);
    if (spec.profileFile) await sideA.call('profileStop', { file: spec.profileFile });
    let leftInFlight = a.load?.inFlightAtEnd ?? 0;
    if (spec.drain ?? true) {
      ctx.progress.phase(`${this.options.label}: ${spec.label} (draining)`);
      ({ leftInFlight } = await sideA.call<{ leftInFlight: number }>('drain', {
        timeoutMs: 60_000,
      }));
    } else {
      await sideA.call('load', { kind: 'idle' });
    }
    const load = a.load as LoadWindow;
    const seconds = load.seconds;
    return {
      session: this.options.label,
      label: spec.label,
      mode: spec.mode,
      replyPartitions: this.options.replyPartitions,
      seconds: Math.round(seconds * 100) / 100,
      sagasPerSec: Math.round(load.completed / Math.max(0.001, seconds)),
      load,
      recordsPerSaga:
        a.published === undefined || load.completed === 0
          ? undefined
          : Math.round((a.published / load.completed) * 10) / 10,
      sideA: a.process,
      sideB: b?.process,
      machine,
      leftInFlightAfterDrain: leftInFlight,
      drained: spec.drain ?? true,
      ...(spec.profileFile ? { profileFile: spec.profileFile } : {}),
    };
  }

  /**
   * Finds the number of sagas in flight that saturates this system: doubles it from
   * {@link RAMP_START} until two probes in a row fail to beat the best by 5 %, or p99
   * passes {@link RAMP_MAX_P99_MS} (well inside the order saga's 10 s step timeout: past it,
   * timeouts and retries would be measured instead of throughput). No drain between probes.
   */
  async findSaturation(maxInFlight: number): Promise<SaturationSearch> {
    const { ctx, sideA } = this;
    const probes: SaturationProbe[] = [];
    let best: SaturationProbe | undefined;
    let misses = 0;
    for (let inFlight = RAMP_START; inFlight <= maxInFlight; inFlight *= 2) {
      ctx.progress.phase(`${this.options.label}: looking for saturation (${inFlight} in flight)`);
      await sideA.call('load', { kind: 'closed', inFlight });
      await this.wait(RAMP_WARMUP_S);
      await sideA.call('mark');
      await this.wait(RAMP_MEASURE_S);
      const { load } = await sideA.call<WindowReply>('window');
      if (!load) break;
      const probe = {
        inFlight,
        sagasPerSec: Math.round(load.completed / load.seconds),
        p99Ms: load.latency.p99Ms,
      };
      probes.push(probe);
      const gained = !best || probe.sagasPerSec >= best.sagasPerSec * 1.05;
      if (!best || probe.sagasPerSec > best.sagasPerSec) best = probe;
      // Two probes in a row without a gain: the shared machine is noisy, one is not enough.
      misses = gained ? 0 : misses + 1;
      if (misses >= 2 || probe.p99Ms > RAMP_MAX_P99_MS) break;
    }
    ctx.progress.phase(`${this.options.label}: draining`);
    await sideA.call('drain', { timeoutMs: 60_000 });
    return { inFlight: best?.inFlight ?? RAMP_START, probes };
  }

  /** Sleeps `seconds`, advancing the progress bar as it goes. */
  async wait(seconds: number): Promise<void> {
    const step = 0.25;
    for (let left = seconds; left > 0; left -= step) {
      const slice = Math.min(step, left);
      await new Promise((resolve) => setTimeout(resolve, slice * 1000));
      this.ctx.progress.advance(slice);
    }
  }

  async close(): Promise<void> {
    this.ctx.progress.phase(`${this.options.label}: cleaning up`);
    await Promise.allSettled([this.sideA.close(), this.sideB?.close()]);
    await removeSession(this.ctx.admin, this.ctx.redis, this.prefix);
  }
}
