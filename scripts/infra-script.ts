/**
 * `scripts/infra.sh` for a second, disposable set of infrastructure on ports and in a directory of
 * its own (the fault suite's, a test's that kills its broker): what every such caller must set so
 * that it never touches the project's own broker and Redis.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const INFRA_SCRIPT = path.join(ROOT, 'scripts/infra.sh');

export interface InfraPlace {
  kafkaPort: number;
  redisPort: number;
  /** infra.sh's INFRA_DIR: data, logs and pids of this set. */
  infraDir: string;
}

/** Runs `scripts/infra.sh <args>` for that place; rejects with the script's stderr. */
export async function runInfraScript(place: InfraPlace, ...args: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_PORT: String(place.kafkaPort),
    // Set, not inherited: the caller's own infrastructure may have exported its controller port.
    KAFKA_CONTROLLER_PORT: String(place.kafkaPort + 1),
    REDIS_PORT: String(place.redisPort),
    INFRA_DIR: place.infraDir,
    // The broker's jars of the project's own infrastructure: one copy, not one per directory.
    INFRA_CACHE_DIR: process.env.INFRA_CACHE_DIR ?? path.join(ROOT, '.infra/cache'),
  };
  try {
    await run('bash', [INFRA_SCRIPT, ...args], { env, cwd: ROOT, maxBuffer: 1 << 20 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`scripts/infra.sh ${args.join(' ')} failed:\n${stderr.slice(-2000)}`);
  }
}

/** Where a cluster topology of its own runs (`INFRA_TOPOLOGY=cluster`, see scripts/infra.sh). */
export interface ClusterInfraPlace {
  /** Broker 1's listener; broker n listens on +2(n-1), its controller one above. */
  kafkaPort: number;
  /** Redis node 1; node n on +(n-1). */
  redisPort: number;
  /** infra.sh's INFRA_DIR: data, logs and pids of this cluster. */
  infraDir: string;
  /** JVM heap of each broker. @default infra.sh's */
  kafkaHeap?: string;
}

/**
 * Runs `INFRA_TOPOLOGY=cluster scripts/infra.sh <args>` for that place and resolves with its
 * stdout (`kill` prints the node it killed); rejects with the script's stderr.
 */
export async function runClusterInfraScript(
  place: ClusterInfraPlace,
  ...args: string[]
): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INFRA_TOPOLOGY: 'cluster',
    KAFKA_CLUSTER_PORT: String(place.kafkaPort),
    REDIS_CLUSTER_PORT: String(place.redisPort),
    INFRA_DIR: place.infraDir,
    INFRA_CACHE_DIR: process.env.INFRA_CACHE_DIR ?? path.join(ROOT, '.infra/cache'),
    ...(place.kafkaHeap ? { KAFKA_HEAP: place.kafkaHeap } : {}),
  };
  try {
    const { stdout } = await run('bash', [INFRA_SCRIPT, ...args], {
      env,
      cwd: ROOT,
      maxBuffer: 1 << 20,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `INFRA_TOPOLOGY=cluster scripts/infra.sh ${args.join(' ')} failed:\n${stderr.slice(-2000)}`,
    );
  }
}

/** Faults of the cluster topology: one broker of three, one Redis primary of three. */
export interface ClusterFaults {
  /** SIGKILL broker `n` (1..3), data kept; resolves when its ports are closed. */
  killBroker(n: number): Promise<void>;
  /** Starts broker `n` again on its data; resolves when it serves. */
  startBroker(n: number): Promise<void>;
  /** SIGKILL the first Redis node that is a primary now; resolves with its number (1..6). */
  killRedisPrimary(): Promise<number>;
  /** Starts Redis node `n` again on its AOF and cluster identity (it rejoins as a replica). */
  startRedisNode(n: number): Promise<void>;
}

/** The faults, through `script` (a {@link runClusterInfraScript} bound to one place). */
export function clusterFaults(script: (...args: string[]) => Promise<string>): ClusterFaults {
  return {
    killBroker: async (n) => void (await script('kill', 'kafka', String(n))),
    startBroker: async (n) => void (await script('start', 'kafka', String(n))),
    killRedisPrimary: async () => Number((await script('kill', 'redis', 'primary')).trim()),
    startRedisNode: async (n) => void (await script('start', 'redis', String(n))),
  };
}

/** The loopback addresses of a cluster topology's 3 brokers and 6 Redis nodes. */
export function clusterAddresses(place: Pick<ClusterInfraPlace, 'kafkaPort' | 'redisPort'>): {
  brokers: string[];
  redisNodes: { host: string; port: number }[];
} {
  return {
    brokers: [0, 1, 2].map((n) => `127.0.0.1:${place.kafkaPort + 2 * n}`),
    redisNodes: [0, 1, 2, 3, 4, 5].map((n) => ({ host: '127.0.0.1', port: place.redisPort + n })),
  };
}
