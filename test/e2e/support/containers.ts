/**
 * The project's container image under podman, for end-to-end tests that run the services as
 * containers: the image built (or reused) by `scripts/build-image.sh`, and containers run from it
 * the way the README's "Deploying" section runs them (read-only root, host network, the
 * project's `scripts/podman/containers.conf`), each one a foreground `podman run` child process
 * watched like a local service process (ready line on stdout, logs on stderr, exit code).
 *
 * @example
 * const containers = useContainers('image-e2e');
 * const orchestrator = containers.run('orchestrator', { ...env }, []);
 * await orchestrator.ready;
 * orchestrator.kill('SIGTERM'); // proxied by podman to the container's node process
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClusterInfra } from '../../support/cluster-infra.js';
import { superviseService, type OrchestratorProcess } from './orchestrator-process.js';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** podman's configuration for this machine (runc, cgroupfs, no raised ulimits). */
export const CONTAINERS_CONF = path.join(root, 'scripts', 'podman', 'containers.conf');

const podmanEnv = () => ({ ...process.env, CONTAINERS_CONF });

/** `podman <args>`; resolves with its stdout, rejects with its stderr. */
export async function podman(args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { env: podmanEnv(), maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * Builds the image with `scripts/build-image.sh` (seconds when its layers are cached, as after
 * CI's build; a couple of minutes from nothing) and returns its name.
 */
export async function buildImage(): Promise<string> {
  const { stdout, stderr } = await run('bash', [path.join(root, 'scripts', 'build-image.sh')], {
    env: podmanEnv(),
    maxBuffer: 64 << 20,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`scripts/build-image.sh failed:\n${(error.stderr ?? '').slice(-4000)}`);
  });
  const image = stdout.trim().split('\n').at(-1);
  if (!image) throw new Error(`scripts/build-image.sh printed no image name:\n${stderr}`);
  return image;
}

/**
 * The connection settings of containers on a cluster topology of the test's own (host network,
 * so its loopback ports are theirs): every broker, the Redis Cluster's seed nodes, and topics
 * made with replication factor 3 as the brokers' min ISR of 2 needs.
 */
export function clusterConnectionEnv(cluster: ClusterInfra): Record<string, string> {
  return {
    KAFKA_BROKERS: cluster.brokers.join(','),
    REDIS_CLUSTER_NODES: cluster.redisNodes.map((node) => `${node.host}:${node.port}`).join(','),
    SAGA_TOPIC_REPLICATION_FACTOR: '3',
  };
}

export interface Containers {
  /**
   * Starts `podman run --rm --read-only --network host <image> <args>` in the foreground as
   * container `<file prefix>-<name>`; `env` becomes its `-e` variables (the test's own
   * environment does not reach a container).
   */
  run(name: string, env: Record<string, string>, args: string[]): OrchestratorProcess;
  /** The full name of the container started as `name`. */
  containerName(name: string): string;
}

/**
 * Registers hooks that build (or reuse) the image before the file's tests, and afterwards
 * remove every container the file started, running or not. Call before `useInfra`: the
 * containers go before the file's topics and keys do.
 */
export function useContainers(prefix: () => string): Containers & { image(): string } {
  let image: string | undefined;
  const names: string[] = [];
  before(async function () {
    // A first build makes the base image from Debian's packages and runs `npm ci` twice.
    this.timeout(600_000);
    image = await buildImage();
  });
  after(async function () {
    this.timeout(60_000);
    if (names.length > 0) await podman(['rm', '--force', '--ignore', '--time', '10', ...names]);
  });
  const containerName = (name: string) => `${prefix()}-${name}`;
  return {
    image() {
      if (image === undefined) throw new Error('the image is used before the before() hook ran');
      return image;
    },
    containerName,
    run(name, env, args) {
      if (image === undefined) throw new Error('the image is used before the before() hook ran');
      const full = containerName(name);
      names.push(full);
      const variables = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
      const child = spawn(
        'podman',
        [
          'run',
          '--rm',
          '--name',
          full,
          '--read-only',
          '--network',
          'host',
          ...variables,
          image,
          ...args,
        ],
        { cwd: root, env: podmanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
      );
      return superviseService(`${name} container`, child);
    },
  };
}
