/**
 * The fault suite's own Kafka broker and two Redis servers, started with `scripts/infra.sh` on
 * ports and in a directory of their own, so that killing them never touches the infrastructure
 * anyone else uses. One Redis holds the orchestrators' store (the one a Redis fault hits); the
 * other holds the participants' state and command ledgers, which judge the run and must survive
 * every fault.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const INFRA_SCRIPT = path.join(ROOT, 'scripts/infra.sh');

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
  const envOf = (redisPort: number): NodeJS.ProcessEnv => ({
    ...process.env,
    KAFKA_PORT: String(ports.kafkaPort),
    // Set, not inherited: the caller's own infrastructure may have exported its controller port.
    KAFKA_CONTROLLER_PORT: String(ports.kafkaPort + 1),
    REDIS_PORT: String(redisPort),
    INFRA_DIR: ports.infraDir,
    // The broker's jars of the project's own infrastructure: one copy, not one per directory.
    INFRA_CACHE_DIR: process.env.INFRA_CACHE_DIR ?? path.join(ROOT, '.infra/cache'),
  });
  const script = async (redisPort: number, ...args: string[]) => {
    try {
      await run('bash', [INFRA_SCRIPT, ...args], { env: envOf(redisPort), cwd: ROOT });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`scripts/infra.sh ${args.join(' ')} failed:\n${stderr.slice(-2000)}`);
    }
  };
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
