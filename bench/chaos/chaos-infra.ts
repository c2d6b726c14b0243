/**
 * The fault suite's own Kafka broker and two Redis servers, started with `scripts/infra.sh` on
 * ports and in a directory of their own, so that killing them never touches the infrastructure
 * anyone else uses. One Redis holds the orchestrators' store (the one a Redis fault hits); the
 * other holds the participants' state and command ledgers, which judge the run and must survive
 * every fault.
 */
import path from 'node:path';
import type { RedisOptions } from 'ioredis';
import { createRedisClient, type RedisClient } from '../../orchestrator/store/index.js';
import {
  clusterAddresses,
  clusterFaults,
  runClusterInfraScript,
  runInfraScript,
  type ClusterFaults,
} from '../../scripts/infra-script.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Ports and directory of the suite's infrastructure. */
export interface ChaosInfraPorts {
  kafkaPort: number;
  /** The orchestrators' Redis (the store). */
  storeRedisPort: number;
  /** The participants' Redis (their state and ledgers). */
  participantsRedisPort: number;
  /** Where `infra.sh` keeps jars, data, logs and pids (its INFRA_DIR). */
  infraDir: string;
}

/**
 * Below Linux's ephemeral range (32768-60999): a port there may be held by any outgoing
 * connection of the machine (it happened: a client socket on the port a Redis wanted).
 */
export const DEFAULT_CHAOS_PORTS: ChaosInfraPorts = {
  kafkaPort: 29092,
  storeRedisPort: 26379,
  participantsRedisPort: 26380,
  infraDir: path.join(ROOT, '.infra/chaos'),
};

export type Component = 'kafka' | 'store-redis';

/** The suite's infrastructure, started; every method waits for `infra.sh` to finish. */
export interface ChaosInfra {
  /** Every broker, comma-separated (KAFKA_BROKERS). */
  readonly brokers: string;
  /** How the orchestrators reach their store: REDIS_URL, or REDIS_CLUSTER_NODES. */
  readonly storeRedisEnv: Readonly<Record<string, string>>;
  /** How the participants reach their state and ledgers. */
  readonly participantsRedisEnv: Readonly<Record<string, string>>;
  /** The cluster topology's own faults (absent on the single topology). */
  readonly cluster?: ClusterFaults;
  /** SIGKILL the broker or the store's Redis, data kept (`infra.sh kill`). */
  kill(component: Component): Promise<void>;
  /** Starts it again on its data (`infra.sh start`): log recovery, AOF replay. */
  restart(component: Component): Promise<void>;
  /** Stops everything and deletes its data (`infra.sh down`); never throws. */
  down(): Promise<void>;
}

/** Starts the broker and both Redis servers (fresh data) and returns their handle. */
export async function startChaosInfra(
  ports: ChaosInfraPorts = DEFAULT_CHAOS_PORTS,
): Promise<ChaosInfra> {
  const script = (redisPort: number, ...args: string[]) =>
    runInfraScript({ kafkaPort: ports.kafkaPort, redisPort, infraDir: ports.infraDir }, ...args);
  const infra: ChaosInfra = {
    brokers: `127.0.0.1:${ports.kafkaPort}`,
    storeRedisEnv: { REDIS_URL: `redis://127.0.0.1:${ports.storeRedisPort}` },
    participantsRedisEnv: { REDIS_URL: `redis://127.0.0.1:${ports.participantsRedisPort}` },
    kill: (component) =>
      component === 'kafka'
        ? script(ports.storeRedisPort, 'kill', 'kafka')
        : script(ports.storeRedisPort, 'kill', 'redis'),
    restart: (component) =>
      component === 'kafka'
        ? script(ports.storeRedisPort, 'start', 'kafka')
        : script(ports.storeRedisPort, 'start', 'redis'),
    async down() {
      // The first takes the broker and the store's Redis down, the second the other Redis.
      await script(ports.storeRedisPort, 'down').catch(() => undefined);
      await script(ports.participantsRedisPort, 'down').catch(() => undefined);
    },
  };
  try {
    await script(ports.storeRedisPort, 'up');
    // Kafka already runs: this one starts the second Redis only.
    await script(ports.participantsRedisPort, 'up');
  } catch (error) {
    await infra.down();
    throw error;
  }
  return infra;
}

/** Ports and directory of a cluster topology: brokers from kafkaPort (+2 each), Redis from redisPort. */
export interface ClusterChaosPorts {
  kafkaPort: number;
  redisPort: number;
  infraDir: string;
}

/**
 * Outside the other runs' ports (29292/17579 and 29492/17679 the tests', 29692/17879 the scale
 * bench's, 19292/16579 the default topology's).
 */
export const DEFAULT_CLUSTER_CHAOS_PORTS: ClusterChaosPorts = {
  kafkaPort: 29_592,
  redisPort: 17_779,
  infraDir: path.join(ROOT, '.infra/chaos-cluster'),
};

/**
 * The cluster topology as the suite's infrastructure (`INFRA_TOPOLOGY=cluster scripts/infra.sh`):
 * three KRaft brokers (RF 3, min ISR 2), a Redis Cluster of three primaries with one replica each
 * (AOF on). The orchestrators and the participants share the Redis Cluster, each by its seed
 * nodes: a primary's failover hits the store and the participants' state alike.
 */
export function clusterChaosInfra(
  ports: ClusterChaosPorts,
  script: (...args: string[]) => Promise<string>,
): ChaosInfra {
  const { brokers, redisNodes } = clusterAddresses(ports);
  return {
    ...clusterTopologyInfra(
      brokers,
      redisNodes.map((node) => `${node.host}:${node.port}`),
      clusterFaults(script),
    ),
    down: () =>
      script('down').then(
        () => undefined,
        () => undefined,
      ),
  };
}

/**
 * A cluster topology someone else started and stops (`down` does nothing): its brokers and Redis
 * nodes (`host:port`) and its faults.
 */
export function clusterTopologyInfra(
  brokers: readonly string[],
  redisNodes: readonly string[],
  faults: ClusterFaults,
): ChaosInfra {
  // REDIS_URL emptied: the environment the processes inherit may name a single Redis.
  const redisEnv = { REDIS_URL: '', REDIS_CLUSTER_NODES: redisNodes.join(',') };
  const refuse = async () => {
    throw new Error('the cluster topology has its own faults (infra.cluster)');
  };
  return {
    brokers: brokers.join(','),
    storeRedisEnv: redisEnv,
    participantsRedisEnv: redisEnv,
    kill: refuse,
    restart: refuse,
    cluster: faults,
    down: async () => undefined,
  };
}

/** Starts the cluster topology (fresh data) on `ports` and returns its handle. */
export async function startClusterChaosInfra(
  ports: ClusterChaosPorts = DEFAULT_CLUSTER_CHAOS_PORTS,
): Promise<ChaosInfra> {
  const script = (...args: string[]) =>
    runClusterInfraScript({ ...ports, kafkaHeap: '512m' }, ...args);
  const infra = clusterChaosInfra(ports, script);
  try {
    await script('up');
  } catch (error) {
    await infra.down();
    throw error;
  }
  return infra;
}

/** A connection of the harness's own to the Redis (or Redis Cluster) that `env` names. */
export function connectRedis(
  env: Readonly<Record<string, string>>,
  extra: RedisOptions = {},
): RedisClient {
  const nodes = env.REDIS_CLUSTER_NODES ?? '';
  if (nodes === '') return createRedisClient({ url: env.REDIS_URL ?? '' }, extra);
  const clusterNodes = nodes.split(',').map((node) => {
    const [host = '', port = ''] = node.split(':');
    return { host, port: Number(port) };
  });
  return createRedisClient({ clusterNodes }, extra);
}
