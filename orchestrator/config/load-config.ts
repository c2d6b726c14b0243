/**
 * Reads and validates the environment once, at start-up, and gives the rest of the program a typed,
 * frozen configuration. This module (with `env-spec.ts`) is the only place that reads
 * `process.env`; everything else receives options.
 */
import { cleanEnv, EnvMissingError } from 'envalid';
import type { LifecycleEventLevel } from '../../wire/contract/index.js';
import { connectionEnvSpec, orchestratorEnvSpec } from './env-spec.js';
import type { RedisNodeAddress } from './validators.js';

export type { RedisNodeAddress };

/** Every problem with the environment at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates `env` against an envalid `spec` of this table; throws a {@link ConfigError} naming
 * every problem. For a process whose settings combine several specs.
 */
export function validateEnv<S extends object>(env: Env, spec: S) {
  return cleanEnv(env, spec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, error]) =>
        // A missing variable's message is its description; say what to do instead.
        error instanceof EnvMissingError
          ? `${name} is required (${error.message})`
          : `${name}: ${(error as Error | undefined)?.message ?? 'invalid'}`,
      );
      if ('REDIS_URL' in spec) problems.push(...redisChoiceProblems(env));
      if (problems.length > 0) throw new ConfigError(problems);
    },
  });
}

/**
 * One Redis, one Redis Cluster or one primary found through Sentinels: exactly one of REDIS_URL,
 * REDIS_CLUSTER_NODES and REDIS_SENTINELS is set.
 */
function redisChoiceProblems(env: Env): string[] {
  const set = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].filter(
    (name) => (env[name] ?? '').trim() !== '',
  );
  if (set.length > 1) {
    return [
      `${set.join(' and ')} are ${set.length === 2 ? 'both' : 'all'} set: set only one ` +
        '(REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_SENTINELS for ' +
        'a primary watched by Sentinels)',
    ];
  }
  if (set.length === 0) {
    return [
      'REDIS_URL is required (or REDIS_CLUSTER_NODES, the seed nodes of a Redis Cluster, or REDIS_SENTINELS, the Sentinels of a primary)',
    ];
  }
  return [];
}

export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
}

/**
 * One Redis (`url`), a Redis Cluster (`clusterNodes`, its seed nodes) or a primary found through
 * Sentinels (`sentinels`): exactly one of the three. TLS comes from the scheme (`rediss://`).
 */
export interface RedisConnectionConfig {
  url?: string;
  clusterNodes?: RedisNodeAddress[];
  sentinels?: RedisSentinelsConfig;
  password?: string;
  tls?: { caFile?: string; rejectUnauthorized: boolean };
  /** `REDIS_WAIT_REPLICAS` / `REDIS_WAIT_TIMEOUT`; absent when no write waits (0 replicas). */
  replicaAcks?: ReplicaAcks;
}

/** How many replicas must acknowledge a write (Redis `WAIT`), and for how long at most. */
export interface ReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

export interface RedisSentinelsConfig {
  nodes: RedisNodeAddress[];
  /** The name the Sentinels monitor the primary under. */
  masterName: string;
  /** The Sentinels' own password, when they have one (the data nodes' is `password`). */
  password?: string;
}

export interface ConnectionConfig {
  kafka: KafkaConnectionConfig;
  redis: RedisConnectionConfig;
  topicPrefix: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface OrchestratorConfig extends ConnectionConfig {
  /** `readToken` only with `apiToken` (the operator's), and different from it. */
  http: { port: number; apiToken?: string; readToken?: string };
  /** What the console links to (`GET /v1/session`); each absent when not configured. */
  console: { grafanaUrl?: string; traceUrlTemplate?: string };
  store: { keyPrefix: string; shards: number; retentionMs: number };
  topics: { partitions: number; replicationFactor: number; create: boolean };
  /** Timings of the consumer of the replies and requests topics, in ms. */
  consumer: { sessionTimeoutMs: number; heartbeatIntervalMs: number; maxWaitTimeMs: number };
  definitionsDir?: string;
  /** The saga types to run (`SAGA_TYPES`); absent: every loaded definition. */
  sagaTypes?: string[];
  /** The version new sagas of a type start on (`SAGA_START_VERSIONS`); absent: the newest. */
  startVersions?: Record<string, string>;
  /** Which lifecycle events are published (`SAGA_LIFECYCLE_EVENTS`). */
  lifecycleEvents: LifecycleEventLevel;
  /** See `OrchestratorTuning.outageGraceMs`. */
  outageGraceMs: number;
  shutdownTimeoutMs: number;
}

const optional = (value: string) => (value === '' ? undefined : value);

type CleanConnectionEnv = ReturnType<typeof validateEnv<typeof connectionEnvSpec>>;

/** Kafka, Redis and naming settings, for any process of the project. */
export function loadConnectionConfig(env: Env, defaultClientId: string): ConnectionConfig {
  return connectionConfig(validateEnv(env, connectionEnvSpec), defaultClientId);
}

/**
 * Which Redis to reach, and whether over TLS (the scheme, `rediss://`). Exactly one of REDIS_URL,
 * REDIS_CLUSTER_NODES and REDIS_SENTINELS is set: `validateEnv` checked it.
 */
function redisTargetOf(e: CleanConnectionEnv): {
  target: Pick<RedisConnectionConfig, 'url' | 'clusterNodes' | 'sentinels'>;
  tls: boolean;
} {
  if (e.REDIS_CLUSTER_NODES.nodes.length > 0) {
    return {
      target: { clusterNodes: e.REDIS_CLUSTER_NODES.nodes },
      tls: e.REDIS_CLUSTER_NODES.tls,
    };
  }
  if (e.REDIS_SENTINELS.nodes.length > 0) {
    const sentinels = {
      nodes: e.REDIS_SENTINELS.nodes,
      masterName: e.REDIS_SENTINEL_MASTER,
      password: optional(e.REDIS_SENTINEL_PASSWORD),
    };
    return { target: { sentinels }, tls: e.REDIS_SENTINELS.tls };
  }
  return { target: { url: e.REDIS_URL }, tls: e.REDIS_URL.startsWith('rediss://') };
}

function connectionConfig(e: CleanConnectionEnv, defaultClientId: string): ConnectionConfig {
  const problems: string[] = [];
  let sasl: KafkaConnectionConfig['sasl'];
  if (e.KAFKA_SASL_MECHANISM !== 'none') {
    if (!e.KAFKA_SASL_USERNAME || !e.KAFKA_SASL_PASSWORD) {
      problems.push(
        `KAFKA_SASL_MECHANISM=${e.KAFKA_SASL_MECHANISM} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      );
    }
    sasl = {
      mechanism: e.KAFKA_SASL_MECHANISM,
      username: e.KAFKA_SASL_USERNAME,
      password: e.KAFKA_SASL_PASSWORD,
    };
  }
  if (Boolean(e.KAFKA_TLS_CERT_FILE) !== Boolean(e.KAFKA_TLS_KEY_FILE)) {
    problems.push('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together (mutual TLS)');
  }
  if (!e.KAFKA_TLS && (e.KAFKA_TLS_CA_FILE || e.KAFKA_TLS_CERT_FILE)) {
    problems.push('KAFKA_TLS_* files are set but KAFKA_TLS is false');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const redis = redisTargetOf(e);
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID || defaultClientId,
      ...(sasl ? { sasl } : {}),
      ...(e.KAFKA_TLS
        ? {
            tls: {
              caFile: optional(e.KAFKA_TLS_CA_FILE),
              certFile: optional(e.KAFKA_TLS_CERT_FILE),
              keyFile: optional(e.KAFKA_TLS_KEY_FILE),
              rejectUnauthorized: e.KAFKA_TLS_REJECT_UNAUTHORIZED,
            },
          }
        : {}),
    },
    redis: {
      ...redis.target,
      password: optional(e.REDIS_PASSWORD),
      ...(e.REDIS_WAIT_REPLICAS > 0
        ? { replicaAcks: { replicas: e.REDIS_WAIT_REPLICAS, timeoutMs: e.REDIS_WAIT_TIMEOUT } }
        : {}),
      ...(redis.tls
        ? {
            tls: {
              caFile: optional(e.REDIS_TLS_CA_FILE),
              rejectUnauthorized: e.REDIS_TLS_REJECT_UNAUTHORIZED,
            },
          }
        : {}),
    },
    topicPrefix: e.SAGA_TOPIC_PREFIX,
    logLevel: e.LOG_LEVEL,
  };
}

/** The orchestrator service's configuration; throws a ConfigError naming every problem. */
export function loadOrchestratorConfig(env: Env): Readonly<OrchestratorConfig> {
  const e = validateEnv(env, orchestratorEnvSpec);
  const startVersions = startVersionsOf(e.SAGA_START_VERSIONS);
  const problems = [
    ...consumerTimingProblems(e),
    ...tokenProblems(e),
    ...(typeof startVersions === 'string' ? [startVersions] : []),
  ];
  if (problems.length > 0 || typeof startVersions === 'string') throw new ConfigError(problems);
  const readToken = optional(e.API_READ_TOKEN);
  const grafanaUrl = optional(e.CONSOLE_GRAFANA_URL);
  const traceUrlTemplate = optional(e.CONSOLE_TRACE_URL);
  return Object.freeze({
    ...connectionConfig(e, 'saga-orchestrator'),
    http: {
      port: e.HTTP_PORT,
      apiToken: optional(e.API_TOKEN),
      ...(readToken !== undefined ? { readToken } : {}),
    },
    console: {
      ...(grafanaUrl !== undefined ? { grafanaUrl } : {}),
      ...(traceUrlTemplate !== undefined ? { traceUrlTemplate } : {}),
    },
    store: {
      keyPrefix: e.REDIS_KEY_PREFIX,
      shards: e.SAGA_STORE_SHARDS,
      retentionMs: e.SAGA_RETENTION,
    },
    topics: {
      partitions: e.SAGA_TOPIC_PARTITIONS,
      replicationFactor: e.SAGA_TOPIC_REPLICATION_FACTOR,
      create: e.SAGA_CREATE_TOPICS,
    },
    consumer: {
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL,
      maxWaitTimeMs: e.KAFKA_MAX_WAIT,
    },
    definitionsDir: optional(e.SAGA_DEFINITIONS_DIR),
    ...sagaTypesOf(e.SAGA_TYPES),
    ...(startVersions ? { startVersions } : {}),
    lifecycleEvents: e.SAGA_LIFECYCLE_EVENTS,
    outageGraceMs: e.SAGA_OUTAGE_GRACE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
  });
}

/** `SAGA_TYPES`: a comma list, blanks around names ignored; blank means "every type". */
function sagaTypesOf(value: string): { sagaTypes?: string[] } {
  const types = value
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
  return types.length > 0 ? { sagaTypes: [...new Set(types)] } : {};
}

/**
 * `SAGA_START_VERSIONS`: `type=version` pairs, comma-separated; blank means "the newest of each".
 * A malformed pair or a type named twice is a problem (the message); a version not loaded stops
 * the start-up later, when the engine is made.
 */
function startVersionsOf(value: string): Record<string, string> | undefined | string {
  const pairs = value
    .split(',')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
  if (pairs.length === 0) return undefined;
  const versions: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([^=\s]+)\s*=\s*(\S+)$/.exec(pair);
    if (!match?.[1] || !match[2] || match[1] in versions) {
      return `SAGA_START_VERSIONS: "${pair}" is not a type=version pair for a type not named before (e.g. order=1)`;
    }
    versions[match[1]] = match[2];
  }
  return versions;
}

/** The read-only token is a second token beside the operator's, never the only or the same one. */
function tokenProblems(e: { API_TOKEN: string; API_READ_TOKEN: string }): string[] {
  if (e.API_READ_TOKEN === '') return [];
  if (e.API_TOKEN === '') {
    return [
      'API_READ_TOKEN is set without API_TOKEN: set the operator token too (without one the API is open)',
    ];
  }
  if (e.API_READ_TOKEN === e.API_TOKEN) {
    return [
      'API_READ_TOKEN equals API_TOKEN: the read-only token must differ from the operator token',
    ];
  }
  return [];
}

/** What is wrong with the consumer timings (the same rules as the participants'). */
function consumerTimingProblems(e: {
  KAFKA_SESSION_TIMEOUT: number;
  KAFKA_HEARTBEAT_INTERVAL: number;
  KAFKA_MAX_WAIT: number;
}): string[] {
  const problems: string[] = [];
  if (e.KAFKA_SESSION_TIMEOUT <= 0) problems.push('KAFKA_SESSION_TIMEOUT must be more than 0');
  if (e.KAFKA_HEARTBEAT_INTERVAL <= 0 || e.KAFKA_HEARTBEAT_INTERVAL >= e.KAFKA_SESSION_TIMEOUT) {
    problems.push('KAFKA_HEARTBEAT_INTERVAL must be more than 0 and below KAFKA_SESSION_TIMEOUT');
  }
  if (e.KAFKA_MAX_WAIT <= 0) problems.push('KAFKA_MAX_WAIT must be more than 0');
  return problems;
}
