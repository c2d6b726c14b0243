/**
 * A throwaway Redis primary with one replica (Debian's `redis-server`, `--replicaof`), for the
 * tests of `WAIT`: the replica can be put to sleep (`DEBUG SLEEP`) so that a write the primary
 * acknowledged is, for that long, on the primary alone — what a failover would lose.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { until } from '../../support/eventually.js';
import { freePort } from '../../support/free-port.js';

export interface ReplicaPair {
  /** Connections of the test's own (not the code under test's). */
  primary: Redis;
  replica: Redis;
  primaryPort: number;
  /** Times Redis ran WAIT on the primary (`INFO commandstats`, cmdstat_wait calls). */
  waitCalls(): Promise<number>;
  /** Blocks the replica for `ms` (DEBUG SLEEP on a connection of its own); resolves at once. */
  sleepReplica(ms: number): void;
  stop(): Promise<void>;
}

const WHILE_STARTING = { timeoutMs: 20_000, intervalMs: 50, retryOn: () => true };

export async function startReplicaPair(): Promise<ReplicaPair> {
  const dir = mkdtempSync(join(tmpdir(), 'store-replica-'));
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const server = (port: number, name: string, ...extra: string[]) => {
    const child = spawn(
      'redis-server',
      [
        ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir],
        ...['--dbfilename', `${name}.rdb`, '--save', '', '--appendonly', 'no'],
        ...['--enable-debug-command', 'yes'],
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited };
  };
  const processes = [
    server(primaryPort, 'primary'),
    server(replicaPort, 'replica', '--replicaof', '127.0.0.1', String(primaryPort)),
  ];
  const connect = (port: number) => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    redis.on('error', () => undefined);
    return redis;
  };
  const primary = connect(primaryPort);
  const replica = connect(replicaPort);
  const sleeper = connect(replicaPort);
  const stop = async () => {
    for (const redis of [primary, replica, sleeper]) redis.disconnect();
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'the replica to be in sync with its primary',
      async () => {
        for (const redis of [primary, replica, sleeper]) {
          if (redis.status === 'wait') await redis.connect();
        }
        return (await replica.info('replication')).includes('master_link_status:up');
      },
      WHILE_STARTING,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    primary,
    replica,
    primaryPort,
    async waitCalls() {
      const stats = await primary.info('commandstats');
      return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    },
    sleepReplica(ms) {
      void sleeper.call('DEBUG', 'SLEEP', String(ms / 1000)).catch(() => undefined);
    },
    stop,
  };
}
