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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInfraScript } from '../../scripts/infra-script.js';

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
  const infraDir = mkdtempSync(join(tmpdir(), 'fault-infra-'));
  const infra = (...args: string[]) => runInfraScript({ kafkaPort, redisPort, infraDir }, ...args);

  before(async function () {
    this.timeout(180_000);
    await infra('up');
  });

  after(async function () {
    this.timeout(60_000);
    await infra('down').catch(() => undefined);
    rmSync(infraDir, { recursive: true, force: true });
  });

  return {
    brokers: [`127.0.0.1:${kafkaPort}`],
    redisUrl: `redis://127.0.0.1:${redisPort}`,
    kill: (which) => infra('kill', which),
    start: (which) => infra('start', which),
  };
}
