/**
 * The fault suite's own Kafka broker and two Redis servers, started with `scripts/infra.sh` on
 * ports and in a directory of their own, so that killing them never touches the infrastructure
 * anyone else uses. One Redis holds the orchestrators' store (the one a Redis fault hits); the
 * other holds the participants' state and command ledgers, which judge the run and must survive
 * every fault.
 */
import path from 'node:path';
import { runInfraScript } from '../../scripts/infra-script.js';

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
  readonly brokers: string;
  readonly storeRedisUrl: string;
  readonly participantsRedisUrl: string;
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
    storeRedisUrl: `redis://127.0.0.1:${ports.storeRedisPort}`,
    participantsRedisUrl: `redis://127.0.0.1:${ports.participantsRedisPort}`,
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
