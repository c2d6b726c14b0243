/**
 * A Redis connection from the connection settings (URL, password, TLS), shared by the
 * orchestrator and participant processes.
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionConfig } from '../config/index.js';

export function createRedisClient(config: RedisConnectionConfig, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    // Fail a command after a few reconnect attempts instead of queueing it forever: callers
    // (consumers, pollers) retry whole batches, and a request should get an error.
    maxRetriesPerRequest: 3,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls
      ? {
          tls: {
            rejectUnauthorized: config.tls.rejectUnauthorized,
            ...(config.tls.caFile ? { ca: readFileSync(config.tls.caFile) } : {}),
          },
        }
      : {}),
    ...extra,
  };
  return new Redis(config.url, options);
}
