/**
 * A cluster topology of a test file's own (`INFRA_TOPOLOGY=cluster scripts/infra.sh`): three
 * KRaft brokers (replication factor 3, min ISR 2) and a Redis Cluster of three primaries and
 * three replicas, on ports and in a temporary directory of their own, started before the file's
 * tests and deleted after them. Nodes are killed with SIGKILL (data kept) and started again on
 * their data, as after a crash.
 *
 * @example
 * const cluster = useClusterInfra();
 * it('survives', async () => {
 *   await cluster.killBroker(1);
 *   const node = await cluster.killRedisPrimary();
 *   await cluster.startRedisNode(node);
 * });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisNodeAddress } from '../../orchestrator/config/index.js';
import {
  clusterAddresses,
  clusterFaults,
  runClusterInfraScript,
  type ClusterFaults,
} from '../../scripts/infra-script.js';

export interface ClusterInfra extends ClusterFaults {
  /** `host:port` of every broker. */
  readonly brokers: string[];
  /** Every Redis node (the client needs one or more as seeds). */
  readonly redisNodes: RedisNodeAddress[];
}

/** Where a file's cluster listens: broker 1 and Redis node 1 (the others follow them). */
export interface ClusterTestPorts {
  kafkaPort: number;
  redisPort: number;
}

/** The cluster-topology test's ports; a second file with a cluster of its own picks others. */
export const DEFAULT_CLUSTER_TEST_PORTS: ClusterTestPorts = {
  kafkaPort: 29_292,
  redisPort: 17_579,
};

/**
 * Ports: CLUSTER_TEST_KAFKA_PORT (default `defaults.kafkaPort`, 29292: brokers on 29292, 29294,
 * 29296, controllers one above each) and CLUSTER_TEST_REDIS_PORT (default `defaults.redisPort`,
 * 17579: nodes on 17579-17584, their cluster buses 10000 above, below the kernel's ephemeral
 * ports: see scripts/lib/infra-cluster.sh), apart from the shared infrastructure (19092/16379), the default
 * cluster topology (19292/16579), the fault and chaos tests' and a clean-clone CI run's. The
 * variables move every file's cluster (mocha runs the files one after the other, each cluster
 * down before the next file starts its own).
 */
export function useClusterInfra(
  defaults: ClusterTestPorts = DEFAULT_CLUSTER_TEST_PORTS,
): ClusterInfra {
  const kafkaPort = Number(process.env.CLUSTER_TEST_KAFKA_PORT ?? defaults.kafkaPort);
  const redisPort = Number(process.env.CLUSTER_TEST_REDIS_PORT ?? defaults.redisPort);
  // Made in `before`, not when the file loads: a run whose --grep skips this file's tests loads
  // it too, and would leave the directory behind.
  let infraDir: string | undefined;
  const infra = (...args: string[]) => {
    if (!infraDir) throw new Error('the cluster is started in before()');
    // Three brokers on a machine shared with other work: a smaller heap each is plenty here.
    return runClusterInfraScript({ kafkaPort, redisPort, infraDir, kafkaHeap: '512m' }, ...args);
  };

  before(async function () {
    this.timeout(240_000);
    infraDir = mkdtempSync(join(tmpdir(), 'cluster-infra-'));
    await infra('up');
  });

  after(async function () {
    this.timeout(90_000);
    if (!infraDir) return;
    await infra('down').catch(() => undefined);
    rmSync(infraDir, { recursive: true, force: true });
  });

  return { ...clusterAddresses({ kafkaPort, redisPort }), ...clusterFaults(infra) };
}
