/**
 * A Redis connection from the connection settings (one Redis by URL, a Redis Cluster by its seed
 * nodes, or a primary found through its Sentinels; password, TLS), shared by the orchestrator and
 * participant processes.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConnectionConfig, RedisSentinelsConfig } from '../config/index.js';
import type { RedisClient } from './options.js';

/**
 * A `Redis` for `config.url`, a `Cluster` for `config.clusterNodes`. On a cluster ioredis follows
 * MOVED and ASK redirections, waits out TRYAGAIN and CLUSTERDOWN, and after a failover (a replica
 * promoted) refreshes the slot map and sends the command again; a command still failing after
 * that rejects, and its caller retries the whole batch, as after a standalone Redis's error.
 */
export function createRedisClient(
  config: RedisConnectionConfig,
  extra: RedisOptions = {},
): RedisClient {
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
  if (config.clusterNodes && config.clusterNodes.length > 0) {
    return new Cluster(config.clusterNodes, clusterOptionsOf(options));
  }
  if (config.sentinels && config.sentinels.nodes.length > 0) {
    return new Redis(sentinelOptionsOf(config.sentinels, options));
  }
  if (!config.url) {
    throw new Error('Redis connection settings name neither a URL, cluster nodes nor Sentinels');
  }
  return new Redis(config.url, options);
}

/**
 * A client that asks the Sentinels for the primary and connects to it. When the primary fails and
 * the Sentinels promote a replica, the connection drops; ioredis asks them again and reconnects
 * to the new primary (`failoverDetector` also listens for their +switch-master, so it moves
 * without waiting for the old connection to time out). Commands sent meanwhile are retried as
 * after any reconnect (`maxRetriesPerRequest`); one still failing rejects and its caller retries.
 */
function sentinelOptionsOf(sentinels: RedisSentinelsConfig, options: RedisOptions): RedisOptions {
  return {
    ...options,
    sentinels: sentinels.nodes,
    name: sentinels.masterName,
    role: 'master',
    failoverDetector: true,
    ...(sentinels.password !== undefined ? { sentinelPassword: sentinels.password } : {}),
    // TLS (rediss:// Sentinels) covers both the Sentinels and the primary they name.
    ...(options.tls ? { enableTLSForSentinelMode: true, sentinelTLS: options.tls } : {}),
    // Ask the Sentinels again forever, backing off to 2 s: readiness says when Redis is gone.
    sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  };
}

/** The cluster client's options around the per-node `options`. */
function clusterOptionsOf(options: RedisOptions): ClusterOptions {
  const { lazyConnect, ...nodeOptions } = options;
  return {
    // Reads and writes go to primaries: a replica may lag behind, and every store read that
    // decides something (a saga's record before its step) must see the last write.
    scaleReads: 'master',
    enableReadyCheck: true,
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // Retry while a failover is under way (the defaults, named for the reader): a MOVED after
    // the promotion refreshes the slot map.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    // Reconnect to the cluster forever, backing off to 2 s: the process's readiness says when
    // Redis is gone, and it should come back without a restart.
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    // Certificates name the host the client was given, not the address a node announces.
    ...(options.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    redisOptions: nodeOptions,
  };
}
