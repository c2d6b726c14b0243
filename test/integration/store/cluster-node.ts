/**
 * A throwaway one-node Redis Cluster (Debian's `redis-server` with `cluster-enabled yes`, every
 * slot assigned to itself) for the store's cluster test. Real cluster mode is what checks the
 * slot rules: `CLUSTER KEYSLOT` answers, and a script with a `#!lua` line that touches a key of
 * another slot fails, as it would on a cluster of many nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { until } from '../../support/eventually.js';
import { freePort } from '../../support/free-port.js';

export interface ClusterNode {
  port: number;
  stop(): Promise<void>;
}

/** The server refuses connections and answers LOADING/CLUSTERDOWN while it starts. */
const WHILE_STARTING = { timeoutMs: 20_000, intervalMs: 50, retryOn: () => true };

export async function startClusterNode(): Promise<ClusterNode> {
  const dir = mkdtempSync(join(tmpdir(), 'store-cluster-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      // A lone node does not learn its own address; the client needs it in CLUSTER SLOTS.
      '--cluster-announce-ip',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  // Refused connections while the server starts are expected; `until` retries them.
  admin.on('error', () => undefined);
  const stop = async () => {
    admin.disconnect();
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'redis-server (cluster mode) to start',
      async () => {
        if (admin.status !== 'ready') await admin.connect();
        return (await admin.ping()) === 'PONG';
      },
      WHILE_STARTING,
    );
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await until(
      'the one-node cluster to become ok',
      async () => {
        const info = String(await admin.call('CLUSTER', 'INFO'));
        return info.includes('cluster_state:ok');
      },
      WHILE_STARTING,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}
