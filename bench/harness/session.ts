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
import type { LoadMode, LoadWindow } from '../load/load-driver.js';
import { LatencyRecorder } from '../measure/latency-recorder.js';
import { WorkerHandle } from '../workers/rpc.js';
import { createSessionTopics, removeSession } from './session-infra.js';
import {
  RAMP_START,
  RAMP_WARMUP_S,
  RAMP_MEASURE_S,
  RAMP_MAX_P99_MS,
  type BenchContext,
  type SessionOptions,
  type MeasurementSpec,
  type Measurement,
  type WindowReply,
  type SaturationSearch,
  type SaturationProbe,
  type ScalePoint,
} from './session-types.js';

/**
 * Several orchestrator processes: time for the consumer group to rebalance (its assignment also
 * shares the store shards out: shard-ownership.ts) and the work to spread, before measuring.
 */
const PEERS_SETTLE_S = 8;

let sessionCounter = 0;

export class Session {
  private lastProgress = { at: performance.now(), completed: 0 };

  /** Every side-A process: `sideA`, then any further orchestrator processes. */
  readonly sidesA: readonly WorkerHandle[];

  private constructor(
    private readonly ctx: BenchContext,
    readonly options: SessionOptions,
    readonly prefix: string,
    readonly sideA: WorkerHandle,
    readonly sideB: WorkerHandle | undefined,
    peers: readonly WorkerHandle[] = [],
  ) {
    this.sidesA = [sideA, ...peers];
    // A saga may end in another process than the one that started it: route its end back.
    for (const from of this.sidesA) {
      from.on('ends', (ends) => {
        for (const to of this.sidesA) {
          if (to !== from) to.call('endedElsewhere', { ends }).catch(() => undefined);
        }
      });
    }
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
    const processes = kind.kind === 'orchestrator' ? (kind.processes ?? 1) : 1;
    const peers = Array.from({ length: processes - 1 }, (_, i) =>
      WorkerHandle.spawn(ctx.workerEntry, `a${i + 2}`, log(`a${i + 2}`), execArgvA),
    );
    const needsB = kind.kind === 'raw' ? kind.kafka : kind.participants;
    const sideB = needsB ? WorkerHandle.spawn(ctx.workerEntry, 'b', log('b')) : undefined;
    const session = new Session(ctx, options, prefix, sideA, sideB, peers);
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
          ...session.sidesA.map((side, i) =>
            side.call('startOrchestrator', {
              ...common,
              keyPrefix: prefix,
              // Each process's driver names its sagas apart, to tell its own ends from others'
              // (no prefix may be the start of another's: `-p1-`, `-p2-`, …).
              idPrefix: peers.length === 0 ? `${prefix}-` : `${prefix}-p${i + 1}-`,
              retentionMs: ctx.retentionMs,
              ...(kind.lifecycleEvents ? { lifecycleEvents: kind.lifecycleEvents } : {}),
              // Read only by the orchestrator side of refs from before the one lifecycle setting.
              publishLifecycleEvents: kind.lifecycleEvents !== 'none',
            }),
          ),
          sideB?.call('startParticipants', { ...common, keyPrefix: prefix, ledger: kind.ledger }),
        ]);
        // The reply partitions, and with them the shards, are shared out once every process joined.
        if (peers.length > 0) await session.wait(PEERS_SETTLE_S);
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
    await this.loadAll(spec.mode);
    await this.wait(spec.warmupS);
    await Promise.all([this.markAll(), sideB?.call('mark'), ctx.machine.mark()]);
    if (spec.profileFile) await sideA.call('profileStart');
    ctx.progress.phase(`${this.options.label}: ${spec.label}`);
    await this.wait(spec.measureS);
    const [windows, b, machine] = await Promise.all([
      this.windowAll(),
      sideB?.call<WindowReply>('window'),
      ctx.machine.window(),
    ]);
    if (spec.profileFile) await sideA.call('profileStop', { file: spec.profileFile });
    const load = mergedLoad(windows);
    const a = windows[0] as WindowReply;
    const published =
      a.published === undefined ? undefined : windows.reduce((n, w) => n + (w.published ?? 0), 0);
    let leftInFlight = load.inFlightAtEnd;
    if (spec.drain ?? true) {
      ctx.progress.phase(`${this.options.label}: ${spec.label} (draining)`);
      leftInFlight = await this.drainAll();
    } else {
      await this.loadAll({ kind: 'idle' });
    }
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
        published === undefined || load.completed === 0
          ? undefined
          : Math.round((published / load.completed) * 10) / 10,
      sideA: a.process,
      sideB: b?.process,
      machine,
      leftInFlightAfterDrain: leftInFlight,
      drained: spec.drain ?? true,
      ...(spec.profileFile ? { profileFile: spec.profileFile } : {}),
      ...(windows.length > 1
        ? {
            processes: windows.map((w) => ({
              process: w.process,
              load: withoutHistogram(w.load as LoadWindow),
              endedElsewhere: w.endedElsewhere ?? 0,
            })),
          }
        : {}),
    };
  }

  /**
   * Finds the number of sagas in flight that saturates this system: doubles it from
   * {@link RAMP_START} until two probes in a row fail to beat the best by 5 %, or p99
   * passes {@link RAMP_MAX_P99_MS} (well inside the order saga's 10 s step timeout: past it,
   * timeouts and retries would be measured instead of throughput). No drain between probes.
   */
  async findSaturation(maxInFlight: number): Promise<SaturationSearch> {
    const { ctx } = this;
    const probes: SaturationProbe[] = [];
    let best: SaturationProbe | undefined;
    let misses = 0;
    for (let inFlight = RAMP_START; inFlight <= maxInFlight; inFlight *= 2) {
      ctx.progress.phase(`${this.options.label}: looking for saturation (${inFlight} in flight)`);
      await this.loadAll({ kind: 'closed', inFlight });
      await this.wait(RAMP_WARMUP_S);
      await this.markAll();
      await this.wait(RAMP_MEASURE_S);
      const load = mergedLoad(await this.windowAll());
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
    await this.drainAll();
    return { inFlight: best?.inFlight ?? RAMP_START, probes };
  }

  /**
   * The scale curve: a closed loop at each of `levels` sagas in flight (rising, no drain between),
   * side A's CPU per saga and the latency at each. Stops after a level whose p99 passed
   * {@link RAMP_MAX_P99_MS}, as the saturation search does: past it step timeouts and retries
   * would be measured.
   */
  async scaleCurve(
    levels: readonly number[],
    timing: { warmupS: number; measureS: number },
  ): Promise<{ points: ScalePoint[]; stoppedAt?: number }> {
    const points: ScalePoint[] = [];
    let stoppedAt: number | undefined;
    for (const inFlight of levels) {
      this.ctx.progress.phase(`${this.options.label}: ${inFlight} in flight`);
      await this.loadAll({ kind: 'closed', inFlight });
      await this.wait(timing.warmupS);
      await this.markAll();
      await this.wait(timing.measureS);
      const windows = await this.windowAll();
      const load = mergedLoad(windows);
      const cpuMs = windows.reduce(
        (sum, w) => sum + w.process.cpuUserMs + w.process.cpuSystemMs,
        0,
      );
      const first = windows[0] as WindowReply;
      points.push({
        inFlight,
        seconds: Math.round(load.seconds * 100) / 100,
        sagasPerSec: Math.round(load.completed / Math.max(0.001, load.seconds)),
        cpuMsPerSaga:
          load.completed === 0 ? undefined : Math.round((cpuMs / load.completed) * 1000) / 1000,
        cpuPercent: first.process.cpuPercent,
        eventLoopUtilization: first.process.eventLoopUtilization,
        p50Ms: load.latency.p50Ms,
        p99Ms: load.latency.p99Ms,
      });
      if (load.latency.p99Ms > RAMP_MAX_P99_MS) {
        stoppedAt = inFlight;
        break;
      }
    }
    this.ctx.progress.phase(`${this.options.label}: draining`);
    await this.drainAll();
    return { points, ...(stoppedAt === undefined ? {} : { stoppedAt }) };
  }

  /** Offers `mode` from every side-A process, each its share (in flight or rate split evenly). */
  private async loadAll(mode: LoadMode): Promise<void> {
    const n = this.sidesA.length;
    const share = (total: number, i: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);
    await Promise.all(
      this.sidesA.map((side, i) => {
        if (mode.kind === 'closed')
          return side.call('load', { ...mode, inFlight: share(mode.inFlight, i) });
        if (mode.kind === 'open')
          return side.call('load', { ...mode, ratePerSec: mode.ratePerSec / n });
        if (mode.kind === 'count')
          return side.call('load', { ...mode, total: share(mode.total, i) });
        return side.call('load', mode);
      }),
    );
  }

  private async markAll(): Promise<void> {
    await Promise.all(this.sidesA.map((side) => side.call('mark')));
  }

  /** Every side-A process's window (with its latency histogram when there are several). */
  private windowAll(): Promise<WindowReply[]> {
    const histogram = this.sidesA.length > 1;
    return Promise.all(this.sidesA.map((side) => side.call<WindowReply>('window', { histogram })));
  }

  /** Drains every side-A process; the sagas still in flight in all of them. */
  private async drainAll(): Promise<number> {
    const left = await Promise.all(
      this.sidesA.map((side) =>
        side.call<{ leftInFlight: number }>('drain', { timeoutMs: 60_000 }),
      ),
    );
    return left.reduce((sum, l) => sum + l.leftInFlight, 0);
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
    await Promise.allSettled([...this.sidesA.map((side) => side.close()), this.sideB?.close()]);
    await removeSession(this.ctx.admin, this.ctx.redis, this.prefix);
  }
}

/** One process's load window, or several processes' summed (latency merged from histograms). */
function mergedLoad(windows: readonly WindowReply[]): LoadWindow {
  const loads = windows.map((w) => {
    if (!w.load) throw new Error('side A has no load driver');
    return w.load;
  });
  const [first] = loads;
  if (!first) throw new Error('no side A');
  if (loads.length === 1) return first;
  const sum = (pick: (l: LoadWindow) => number) => loads.reduce((s, l) => s + pick(l), 0);
  return {
    started: sum((l) => l.started),
    completed: sum((l) => l.completed),
    endedOtherwise: sum((l) => l.endedOtherwise),
    startErrors: sum((l) => l.startErrors),
    shed: sum((l) => l.shed),
    seconds: Math.max(...loads.map((l) => l.seconds)),
    inFlightAtEnd: sum((l) => l.inFlightAtEnd),
    latency: LatencyRecorder.mergedSummary(loads.map((l) => l.histogram ?? '')),
  };
}

function withoutHistogram(load: LoadWindow): LoadWindow {
  const { histogram: _histogram, ...rest } = load;
  return rest;
}
