/**
 * CPU time of everything a scale round runs, read from `/proc/<pid>/stat` (utime + stime), so no
 * process has to cooperate: the orchestrator and participant processes (the bench's children),
 * the brokers' JVMs and the Redis Cluster's six nodes (by the pid files `scripts/infra.sh` writes),
 * and the bench's own driver (`process.cpuUsage`). Beside them the machine's busy time
 * (`os.cpus()`), so that what is busy but none of these shows as other work on the shared machine.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clockTicksPerSecond, machineCpuMs, processTicks } from '../measure/machine-stats.js';

export const COMPONENTS = ['orchestrators', 'participants', 'kafka', 'redis', 'driver'] as const;
export type Component = (typeof COMPONENTS)[number];

/** The processes of each component but the driver (this process). */
export type ProcessGroups = Record<Exclude<Component, 'driver'>, readonly number[]>;

export interface CpuReading {
  at: number;
  /** CPU ms of each pid (a pid that is gone reads as absent). */
  byPid: Map<number, number>;
  driverMs: number;
  machineBusyMs: number;
  machineTotalMs: number;
}

export interface CpuWindow {
  seconds: number;
  /** CPU ms over the window, per component. */
  ms: Record<Component, number>;
  /** Each orchestrator process's CPU, % of one core, in slot order. */
  orchestratorPercents: number[];
  /** All cores' busy time, % of one core (the machine's maximum is cores × 100). */
  machineBusyPercent: number;
}

const TICK_MS = 1000 / clockTicksPerSecond();

/** CPU ms of each pid now, the driver's, and the machine's busy and total time. */
export function readCpu(groups: ProcessGroups): CpuReading {
  const byPid = new Map<number, number>();
  for (const pid of Object.values(groups).flat()) {
    const ticks = processTicks(pid);
    if (ticks !== undefined) byPid.set(pid, ticks * TICK_MS);
  }
  const driver = process.cpuUsage();
  const { busyMs: machineBusyMs, totalMs: machineTotalMs } = machineCpuMs();
  return {
    at: performance.now(),
    byPid,
    driverMs: (driver.user + driver.system) / 1000,
    machineBusyMs,
    machineTotalMs,
  };
}

/** What each component used between two readings. */
export function cpuBetween(start: CpuReading, end: CpuReading, groups: ProcessGroups): CpuWindow {
  const seconds = (end.at - start.at) / 1000;
  // A process missing from either reading (gone, or not yet there) counts nothing: its time in
  // the window is unknown.
  const usedBy = (pid: number) => {
    const [from, to] = [start.byPid.get(pid), end.byPid.get(pid)];
    return from === undefined || to === undefined ? 0 : to - from;
  };
  const sum = (pids: readonly number[]) => pids.reduce((total, pid) => total + usedBy(pid), 0);
  const cores = os.cpus().length;
  const busyShare =
    (end.machineBusyMs - start.machineBusyMs) /
    Math.max(1, end.machineTotalMs - start.machineTotalMs);
  return {
    seconds,
    ms: {
      orchestrators: sum(groups.orchestrators),
      participants: sum(groups.participants),
      kafka: sum(groups.kafka),
      redis: sum(groups.redis),
      driver: end.driverMs - start.driverMs,
    },
    orchestratorPercents: groups.orchestrators.map((pid) => Math.round(usedBy(pid) / seconds) / 10),
    machineBusyPercent: busyShare * cores * 100,
  };
}

/**
 * The brokers' and Redis nodes' pids of a cluster topology (`INFRA_TOPOLOGY=cluster`), from the
 * pid files in its INFRA_DIR: `kafka-cluster-<port>/node-<n>/kafka.pid` and
 * `redis-cluster-<port>/node-<n>/redis.pid`.
 */
export function clusterInfraPids(
  infraDir: string,
  kafkaPort: number,
  redisPort: number,
): { kafka: number[]; redis: number[] } {
  const pidIn = (file: string) => Number(readFileSync(file, 'utf8').trim());
  return {
    kafka: [1, 2, 3].map((n) =>
      pidIn(path.join(infraDir, `kafka-cluster-${kafkaPort}`, `node-${n}`, 'kafka.pid')),
    ),
    redis: [1, 2, 3, 4, 5, 6].map((n) =>
      pidIn(path.join(infraDir, `redis-cluster-${redisPort}`, `node-${n}`, 'redis.pid')),
    ),
  };
}
