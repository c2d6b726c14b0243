/**
 * A Redis primary with one replica, watched by three Sentinels (quorum 2), of a test file's own:
 * started from Debian's `redis-server` (as `--sentinel` for the Sentinels) on ports and in a
 * temporary directory of its own before the file's tests, stopped and deleted after them. The
 * primary can be SIGKILLed as in a crash; the Sentinels then agree it is down (after
 * DOWN_AFTER_MS) and promote the replica.
 *
 * @example
 * const sentinel = useSentinelInfra();
 * it('survives', async () => {
 *   await sentinel.killPrimary();
 *   await sentinel.waitForPromotion();
 * });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually, within } from './eventually.js';

/** The name the Sentinels monitor the primary under. */
export const SENTINEL_MASTER_NAME = 'saga-test';
/** How long the Sentinels wait before calling a silent primary down (Redis's default is 30 s). */
const DOWN_AFTER_MS = 1_000;

export interface SentinelInfra {
  /** `host:port` of every Sentinel (REDIS_SENTINELS). */
  readonly sentinels: string[];
  /** The port of the primary the Sentinels were first given; the replica's is one above. */
  readonly primaryPort: number;
  /** SIGKILL the first primary (data kept); resolves when it has exited. */
  killPrimary(): Promise<void>;
  /** Resolves with the port of the primary the Sentinels name once it is not the first one. */
  waitForPromotion(timeoutMs?: number): Promise<number>;
}

/**
 * Ports: SENTINEL_TEST_REDIS_PORT (default 26879: primary 26879, replica 26880, Sentinels
 * 26881–26883), apart from the shared infrastructure's, the cluster tests' and CI's.
 */
export function useSentinelInfra(): SentinelInfra {
  const base = Number(process.env.SENTINEL_TEST_REDIS_PORT ?? 26_879);
  const [primaryPort, replicaPort] = [base, base + 1];
  const sentinelPorts = [base + 2, base + 3, base + 4];
  const processes = new Map<number, ChildProcess>();
  let dir: string | undefined;

  const start = (port: number, args: string[]) => {
    if (!dir) throw new Error('the Sentinel infrastructure is started in before()');
    const log = openSync(join(dir, `redis-${port}.log`), 'a');
    const child = spawn('redis-server', args, { stdio: ['ignore', log, log] });
    processes.set(port, child);
  };
  /** Runs `ask` on a connection of its own to `port`, closed after. */
  const ask = async <T>(port: number, question: (client: Redis) => Promise<T>): Promise<T> => {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await question(client);
    } finally {
      client.disconnect();
    }
  };
  const ping = (port: number) =>
    ask(port, async (client) => ((await client.ping()) === 'PONG' ? true : undefined));
  const askSentinel = (port: number) =>
    ask(port, async (client) => {
      const address = (await client.call(
        'SENTINEL',
        'get-master-addr-by-name',
        SENTINEL_MASTER_NAME,
      )) as [string, string] | null;
      return address ? Number(address[1]) : undefined;
    });

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'sentinel-infra-'));
    // A directory per node: the primary and its replica would otherwise share one AOF.
    const data = (port: number) => {
      const nodeDir = join(dir!, `node-${port}`);
      mkdirSync(nodeDir);
      return ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir];
    };
    // AOF on, as a production primary would run; the replica copies it.
    start(primaryPort, [...data(primaryPort), '--appendonly', 'yes', '--save', '']);
    start(replicaPort, [
      ...data(replicaPort),
      '--appendonly',
      'yes',
      '--save',
      '',
      '--replicaof',
      '127.0.0.1',
      String(primaryPort),
    ]);
    for (const port of sentinelPorts) {
      // A Sentinel rewrites its configuration file: each gets one of its own.
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      start(port, [conf, '--sentinel']);
    }
    const retry = { timeoutMs: 30_000, intervalMs: 100, retryOn: () => true };
    for (const port of [primaryPort, replicaPort, ...sentinelPorts]) {
      await eventually(`redis-server on ${port} to answer`, () => ping(port), retry);
    }
    // Ready when the replica is in sync and every Sentinel knows the primary, its replica and
    // the two other Sentinels (found through the primary's hello channel).
    await eventually(
      'the replica to be in sync',
      () =>
        ask(replicaPort, async (client) =>
          /master_link_status:up/.test(await client.info('replication')) ? true : undefined,
        ),
      retry,
    );
    for (const port of sentinelPorts) {
      await eventually(
        `Sentinel ${port} to see the replica and the other Sentinels`,
        () =>
          ask(port, async (client) => {
            const master = (await client.call(
              'SENTINEL',
              'master',
              SENTINEL_MASTER_NAME,
            )) as string[];
            const field = (name: string) => Number(master[master.indexOf(name) + 1]);
            return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2 ? true : undefined;
          }),
        retry,
      );
    }
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all(
      [...processes.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
    primaryPort,
    killPrimary: async () => {
      const child = processes.get(primaryPort);
      if (!child || child.exitCode !== null) throw new Error('the first primary is not running');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await within('the primary to exit after SIGKILL', exited, 10_000);
    },
    waitForPromotion: (timeoutMs = 30_000) =>
      eventually(
        'the Sentinels to promote the replica',
        async () => {
          const port = await askSentinel(sentinelPorts[0]!);
          return port !== undefined && port !== primaryPort ? port : undefined;
        },
        { timeoutMs, intervalMs: 100, retryOn: () => true },
      ),
  };
}
