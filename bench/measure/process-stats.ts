/**
 * A worker's own cost over a measurement window: CPU time (`process.cpuUsage`), event-loop
 * utilisation, and RSS / heap sampled every 200 ms for the peak (RSS can rise and fall between
 * two reads; `resourceUsage().maxRSS` is only the lifetime peak, so both are kept).
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface ProcessWindow {
  seconds: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** CPU time over wall time, in % of one core (200 % = both cores of this machine). */
  cpuPercent: number;
  /** Share of wall time the event loop was busy, 0–1. */
  eventLoopUtilization: number;
  peakRssMb: number;
  endRssMb: number;
  peakHeapUsedMb: number;
  /** Peak RSS of the process's whole life so far (the kernel's figure). */
  lifetimeMaxRssMb: number;
}

export interface MemorySample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

const MB = 1024 * 1024;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export class ProcessStats {
  private cpuAtMark = process.cpuUsage();
  private eluAtMark: EventLoopUtilization = performance.eventLoopUtilization();
  private markedAt = performance.now();
  private peakRss = 0;
  private peakHeap = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sampleMemory();
    this.timer = setInterval(() => this.sampleMemory(), 200);
    this.timer.unref();
  }

  mark(): void {
    this.cpuAtMark = process.cpuUsage();
    this.eluAtMark = performance.eventLoopUtilization();
    this.markedAt = performance.now();
    const { rss, heapUsed } = process.memoryUsage();
    this.peakRss = rss;
    this.peakHeap = heapUsed;
  }

  window(): ProcessWindow {
    this.sampleMemory();
    const cpu = process.cpuUsage(this.cpuAtMark);
    const seconds = (performance.now() - this.markedAt) / 1000;
    const elu = performance.eventLoopUtilization(this.eluAtMark);
    return {
      seconds: round(seconds, 2),
      cpuUserMs: Math.round(cpu.user / 1000),
      cpuSystemMs: Math.round(cpu.system / 1000),
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100),
      eventLoopUtilization: round(elu.utilization, 3),
      peakRssMb: round(this.peakRss / MB),
      endRssMb: round(process.memoryUsage.rss() / MB),
      peakHeapUsedMb: round(this.peakHeap / MB),
      lifetimeMaxRssMb: round((process.resourceUsage().maxRSS * 1024) / MB),
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sampleMemory(): void {
    const { rss, heapUsed } = process.memoryUsage();
    if (rss > this.peakRss) this.peakRss = rss;
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
  }
}

/** One memory sample; with `--expose-gc` a full collection first, so the heap is what is live. */
export function memorySample(startedAt: number): MemorySample {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const usage = process.memoryUsage();
  return {
    t: round((performance.now() - startedAt) / 1000, 1),
    rssMb: round(usage.rss / MB, 2),
    heapUsedMb: round(usage.heapUsed / MB, 2),
    heapTotalMb: round(usage.heapTotal / MB, 2),
    externalMb: round(usage.external / MB, 2),
  };
}
