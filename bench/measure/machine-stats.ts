/**
 * What the whole machine did during a window, so a figure can be read against the load it was
 * measured under: all cores' busy time (`/proc/stat` via `os.cpus()`), Redis's own CPU time
 * (`INFO cpu`), the Kafka broker's CPU time (`/proc/<pid>/stat`, when its process can be found),
 * and the load average. Every CPU figure is in % of one core; this machine's maximum is
 * `cores × 100`. What is busy but none of ours is other people's work on the shared machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';

export interface MachineWindow {
  cores: number;
  /** All cores' busy time, % of one core. */
  busyPercent: number;
  redisCpuPercent: number;
  /** Undefined when the broker's process was not found (e.g. a remote broker). */
  kafkaCpuPercent: number | undefined;
  loadAverage1m: number;
}

interface Snapshot {
  at: number;
  busyMs: number;
  totalMs: number;
  redisCpuS: number;
  kafkaTicks: number | undefined;
}

export class MachineStats {
  private marked: Snapshot | undefined;
  private readonly clockTicks: number;

  constructor(
    private readonly redis: Redis,
    private readonly kafkaPid: number | undefined,
  ) {
    this.clockTicks = clockTicksPerSecond();
  }

  async mark(): Promise<void> {
    this.marked = await this.snapshot();
  }

  async window(): Promise<MachineWindow> {
    const start = this.marked ?? (await this.snapshot());
    const end = await this.snapshot();
    const wallS = Math.max(0.001, (end.at - start.at) / 1000);
    const cores = os.cpus().length;
    const pct = (value: number) => Math.round(value * 10) / 10;
    const busyShare = (end.busyMs - start.busyMs) / Math.max(1, end.totalMs - start.totalMs);
    return {
      cores,
      busyPercent: pct(busyShare * cores * 100),
      redisCpuPercent: pct(((end.redisCpuS - start.redisCpuS) / wallS) * 100),
      kafkaCpuPercent:
        end.kafkaTicks === undefined || start.kafkaTicks === undefined
          ? undefined
          : pct(((end.kafkaTicks - start.kafkaTicks) / this.clockTicks / wallS) * 100),
      loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    };
  }

  private async snapshot(): Promise<Snapshot> {
    const { busyMs, totalMs } = machineCpuMs();
    const info = await this.redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return {
      at: performance.now(),
      busyMs,
      totalMs,
      redisCpuS: field('used_cpu_sys') + field('used_cpu_user'),
      kafkaTicks: this.kafkaPid === undefined ? undefined : processTicks(this.kafkaPid),
    };
  }
}

/** CPU time of every core since boot, in ms: busy (user, nice, sys, irq) and in all. */
export function machineCpuMs(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of os.cpus()) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs };
}

/** utime + stime of a process, in clock ticks; undefined if it is gone. */
export function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** The kernel's clock ticks per second (`getconf CLK_TCK`), the unit of `/proc/<pid>/stat`. */
export function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * The local Kafka broker's process: a `kafka.Kafka` JVM whose command line names the port (as
 * scripts/infra.sh's data directory `kafka-<port>` does), or the only one there is.
 */
export function findKafkaPid(port: number): number | undefined {
  const brokers: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes('kafka.Kafka')) brokers.push({ pid: Number(entry), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  const byPort = brokers.filter((broker) => broker.cmdline.includes(`kafka-${port}`));
  if (byPort.length === 1) return byPort[0]?.pid;
  return brokers.length === 1 ? brokers[0]?.pid : undefined;
}

/** The machine, for the report's header. */
export function describeMachine(): { cpuModel: string; cores: number; memoryGb: number } {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  };
}
