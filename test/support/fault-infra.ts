/**
 * A Kafka broker and a Redis server of a test file's own, to kill and restart: the shared ones
 * (`useInfra`) serve every other file and must never go down. `scripts/infra.sh` starts them on
 * ports of their own with their data in a temporary directory; `kill` is a SIGKILL that keeps the
 * data and `start` brings the process back on it (the broker recovers its log, Redis replays its
 * AOF), as after a crash.
 *
 * @example
 * const faults = useFaultInfra();
 * it('survives', async () => {
 *   await faults.kill('kafka');
 *   await faults.start('kafka');
 * });
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA_SCRIPT = new URL('../../scripts/infra.sh', import.meta.url).pathname;

export interface FaultInfra {
  readonly brokers: string[];
  readonly redisUrl: string;
  /** SIGKILL, data kept; resolves when the port is closed. */
  kill(which: 'kafka' | 'redis'): Promise<void>;
  /** Starts it again on its data; resolves when it answers. */
  start(which: 'kafka' | 'redis'): Promise<void>;
}

/**
 * Ports: FAULT_KAFKA_PORT (default 19192, controller +1) and FAULT_REDIS_PORT (default 16479), so
 * a run beside the shared infrastructure (19092/16379) never meets it.
 */
export function useFaultInfra(): FaultInfra {
  const kafkaPort = Number(process.env.FAULT_KAFKA_PORT ?? 19_192);
  const redisPort = Number(process.env.FAULT_REDIS_PORT ?? 16_479);
  // The broker's jars are fetched once into the shared cache; only data and logs are per run.
  const dataDir = mkdtempSync(join(tmpdir(), 'fault-infra-'));
  const env = {
    ...process.env,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
    REDIS_PORT: String(redisPort),
    INFRA_DIR: dataDir,
    INFRA_CACHE_DIR:
      process.env.INFRA_CACHE_DIR ??
      join(process.env.INFRA_DIR ?? new URL('../../.infra', import.meta.url).pathname, 'cache'),
  };
  const infra = (...args: string[]) =>
    run('bash', [INFRA_SCRIPT, ...args], { env, maxBuffer: 1 << 20 }).catch((error: unknown) => {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`scripts/infra.sh ${args.join(' ')} failed: ${stderr.slice(-2000)}`);
    });

  before(async function () {
    this.timeout(180_000);
    await infra('up');
  });

  after(async function () {
    this.timeout(60_000);
    await infra('down').catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    brokers: [`127.0.0.1:${kafkaPort}`],
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    kill: async (which) => {
      await infra('kill', which);
    },
    start: async (which) => {
      await infra('start', which);
    },
  };
}
