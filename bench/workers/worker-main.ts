/**
 * A bench worker process. The driver forks two per session: side A (the system under test — the
 * orchestrator, or the raw request loop — with the load driver in the same process, as a client
 * library would be) and side B (the participants, or the raw responder). Each measures itself.
 * A session of several orchestrator processes forks one side A per process, each with its own
 * driver; ends of sagas another process started are sent back as `ends` events.
 */
import { performance } from 'node:perf_hooks';
import type { LoadDriver, LoadMode } from '../load/load-driver.js';
import { measureEngineCost } from '../load/engine-cost.js';
import { CpuProfiler } from '../measure/cpu-profiler.js';
import { memorySample, ProcessStats, type MemorySample } from '../measure/process-stats.js';
import { startOrchestratorSide, type OrchestratorSideConfig } from '../sides/orchestrator-side.js';
import { startParticipantsSide, type ParticipantsSideConfig } from '../sides/participants-side.js';
import { startRawRequester, type RawRequesterConfig } from '../sides/raw-requester.js';
import { startRawResponder, type RawResponderConfig } from '../sides/raw-responder.js';
import { serveCalls } from './rpc.js';

interface SideA {
  driver: LoadDriver;
  takePublished(): number;
  outboxBacklog?(): Promise<number>;
  stop(): Promise<void>;
}
interface SideB {
  handled?(): number;
  stop(): Promise<void>;
}

const stats = new ProcessStats();
const profiler = new CpuProfiler();
let sideA: SideA | undefined;
let sideB: SideB | undefined;
let memoryTimer: NodeJS.Timeout | undefined;
let memorySamples: MemorySample[] = [];

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} was not started`);
  return value;
};

const { emit } = serveCalls({
  async startOrchestrator(config: OrchestratorSideConfig) {
    sideA = await startOrchestratorSide(config, queueForeignEnd);
  },
  endedElsewhere({ ends }: { ends: [string, boolean][] }) {
    const { driver } = need(sideA, 'side A');
    endedElsewhere += ends.length;
    for (const [sagaId, ok] of ends) driver.completed(sagaId, ok);
  },
  async startRawRequester(config: RawRequesterConfig) {
    sideA = await startRawRequester(config);
  },
  async startParticipants(config: ParticipantsSideConfig) {
    sideB = await startParticipantsSide(config);
  },
  async startRawResponder(config: RawResponderConfig) {
    sideB = await startRawResponder(config);
  },
  engineCost({ sagas }: { sagas: number }) {
    return measureEngineCost(sagas);
  },
  load(mode: LoadMode) {
    need(sideA, 'side A').driver.setMode(mode);
  },
  mark() {
    stats.mark();
    if (sideA) {
      sideA.driver.mark();
      sideA.takePublished();
    }
    handledAtMark = sideB?.handled?.() ?? 0;
    endedElsewhere = 0;
  },
  window({ histogram }: { histogram?: boolean } = {}) {
    return {
      process: stats.window(),
      load: sideA?.driver.window({ histogram: histogram === true }),
      published: sideA?.takePublished(),
      handled: sideB?.handled ? sideB.handled() - handledAtMark : undefined,
      endedElsewhere,
    };
  },
  drain({ timeoutMs }: { timeoutMs: number }) {
    return need(sideA, 'side A').driver.drain(timeoutMs);
  },
  startsSettled({ timeoutMs }: { timeoutMs: number }) {
    return need(sideA, 'side A').driver.startsSettled(timeoutMs);
  },
  outboxBacklog() {
    const side = need(sideA, 'side A');
    if (!side.outboxBacklog) throw new Error('side A is not the orchestrator');
    return side.outboxBacklog();
  },
  profileStart() {
    return profiler.start();
  },
  profileStop({ file }: { file: string }) {
    return profiler.stop(file);
  },
  memorySamplingStart({ everyMs }: { everyMs: number }) {
    const began = performance.now();
    memorySamples = [memorySample(began)];
    memoryTimer = setInterval(() => memorySamples.push(memorySample(began)), everyMs);
  },
  memorySamplingStop() {
    clearInterval(memoryTimer);
    return memorySamples;
  },
  async shutdown() {
    clearInterval(progressTimer);
    clearTimeout(foreignEndsTimer);
    clearInterval(memoryTimer);
    stats.stop();
    await sideA?.stop();
    await sideB?.stop();
    setImmediate(() => process.exit(0));
  },
});

let handledAtMark = 0;
/** Ends of this process's sagas that another orchestrator process saw, since the mark. */
let endedElsewhere = 0;
/**
 * Ends of sagas other processes started, sent in batches (one IPC message per saga would cost),
 * 20 ms after the first of a batch: no timer runs while there is none (idle CPU is measured here).
 */
let foreignEnds: [string, boolean][] = [];
let foreignEndsTimer: NodeJS.Timeout | undefined;
function queueForeignEnd(sagaId: string, ok: boolean): void {
  foreignEnds.push([sagaId, ok]);
  foreignEndsTimer ??= setTimeout(() => {
    foreignEndsTimer = undefined;
    emit('ends', foreignEnds);
    foreignEnds = [];
  }, 20);
}
const progressTimer = setInterval(() => {
  if (sideA) emit('progress', sideA.driver.progress());
}, 500);
progressTimer.unref();

process.on('disconnect', () => process.exit(1));
