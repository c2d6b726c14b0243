/**
 * Every environment variable the orchestrator and the example participants read, in one table.
 * The table is the single source of the names: the loader parses it, `docs/configuration.md` and
 * the Helm chart's test compare against it, so a name cannot drift between them.
 *
 * `ORCHESTRATOR_ENV_NAMES` and `PARTICIPANT_ENV_NAMES` list what each kind of process reads
 * (`connectionEnvSpec`, `topicProvisioningEnvSpec` and `consumerTimingEnvSpec` are in both, by the
 * same names).
 *
 * The standard `OTEL_*` variables are read by OpenTelemetry itself and are not repeated here.
 */
import { bool, port, str } from 'envalid';
import {
  DEFAULT_LIFECYCLE_EVENT_LEVEL,
  LIFECYCLE_EVENT_LEVELS,
  type LifecycleEventLevel,
} from '../../wire/contract/index.js';
import { DEFAULT_CONSUMER_TIMINGS } from '../../wire/kafka/index.js';
import {
  blankOrHttpUrl,
  blankOrNumberAtLeast,
  brokerList,
  duration,
  intBetween,
  numberBetween,
  numberMap,
  redisClusterNodes,
  redisUrl,
  topicPart,
} from './validators.js';

/** Connections and naming shared by the orchestrator and participant processes. */
export const connectionEnvSpec = {
  KAFKA_BROKERS: brokerList({
    desc: 'Kafka bootstrap brokers, comma-separated host:port',
    example: 'kafka-0:9092,kafka-1:9092',
  }),
  KAFKA_CLIENT_ID: str({ default: '', desc: 'Kafka client id (default: the process name)' }),
  KAFKA_SASL_MECHANISM: str({
    default: 'none',
    choices: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
    desc: 'SASL mechanism for Kafka',
  }),
  KAFKA_SASL_USERNAME: str({ default: '', desc: 'SASL user name' }),
  KAFKA_SASL_PASSWORD: str({ default: '', desc: 'SASL password (from a Secret)' }),
  KAFKA_TLS: bool({ default: false, desc: 'Connect to Kafka with TLS' }),
  KAFKA_TLS_CA_FILE: str({ default: '', desc: 'PEM file of CA certificates for Kafka TLS' }),
  KAFKA_TLS_CERT_FILE: str({ default: '', desc: 'PEM client certificate (mutual TLS)' }),
  KAFKA_TLS_KEY_FILE: str({ default: '', desc: 'PEM client key (mutual TLS)' }),
  KAFKA_TLS_REJECT_UNAUTHORIZED: bool({
    default: true,
    desc: 'Verify the brokers’ certificates',
  }),
  REDIS_URL: redisUrl({
    default: '',
    desc: 'Redis URL; rediss:// for TLS. Set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS',
    example: 'redis://redis:6379',
  }),
  REDIS_CLUSTER_NODES: redisClusterNodes({
    default: { nodes: [], tls: false },
    desc:
      'Redis Cluster seed nodes, comma-separated host:port (rediss://host:port for TLS); the ' +
      'client learns the rest of the cluster from them. Set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS',
    example: 'redis-0:6379,redis-1:6379,redis-2:6379',
  }),
  // The same host:port list as cluster nodes: here the Sentinels that watch one primary.
  REDIS_SENTINELS: redisClusterNodes({
    default: { nodes: [], tls: false },
    desc:
      'Redis Sentinels, comma-separated host:port (rediss://host:port for TLS to the Sentinels ' +
      'and the primary); the client asks them for the primary of REDIS_SENTINEL_MASTER and ' +
      'follows it after a failover. Set one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS',
    example: 'sentinel-0:26379,sentinel-1:26379,sentinel-2:26379',
  }),
  REDIS_SENTINEL_MASTER: topicPart({
    default: 'mymaster',
    desc: 'The name the Sentinels monitor the primary under (their `sentinel monitor <name>`)',
  }),
  REDIS_SENTINEL_PASSWORD: str({
    default: '',
    desc: 'Password of the Sentinels themselves (their requirepass), when they have one',
  }),
  REDIS_PASSWORD: str({ default: '', desc: 'Redis password (overrides one in REDIS_URL)' }),
  REDIS_TLS_CA_FILE: str({ default: '', desc: 'PEM file of CA certificates for Redis TLS' }),
  REDIS_TLS_REJECT_UNAUTHORIZED: bool({
    default: true,
    desc: 'Verify the Redis server’s certificate',
  }),
  REDIS_WAIT_REPLICAS: intBetween(
    0,
    16,
  )({
    default: 0,
    desc:
      'Replicas that must acknowledge a write before it is acted on (Redis WAIT after each ' +
      'batch of saga writes and after each participant result): 0 on one Redis, 1 on a Redis ' +
      'Cluster with a replica per primary, so a failover cannot lose what was acted on',
  }),
  REDIS_WAIT_TIMEOUT: duration({
    default: 50,
    desc: 'Longest a write waits for REDIS_WAIT_REPLICAS acknowledgements (it then goes on)',
    example: '50ms',
  }),
  SAGA_TOPIC_PREFIX: topicPart({ default: 'saga', desc: 'Prefix of every topic name' }),
  LOG_LEVEL: str({
    default: 'info',
    choices: ['debug', 'info', 'warn', 'error'],
    desc: 'Least severe log level written',
  }),
} as const;

/** Creating the topics a process needs when they are missing: orchestrator and participants. */
export const topicProvisioningEnvSpec = {
  SAGA_TOPIC_PARTITIONS: intBetween(
    1,
    10_000,
  )({
    default: 12,
    desc: 'Partitions of the topics this process creates at start-up',
  }),
  SAGA_TOPIC_REPLICATION_FACTOR: intBetween(
    1,
    10,
  )({
    default: 1,
    desc: 'Replication factor of the topics this process creates at start-up',
  }),
  SAGA_CREATE_TOPICS: bool({
    default: true,
    desc: 'Create missing topics at start-up (turn off when a provisioning job does it)',
  }),
} as const;

/**
 * Kafka consumer timings, the same for the orchestrator and the participants. The session timeout
 * is how long a killed process keeps its partitions: its group waits that long before a restarted
 * or surviving member consumes them again, so keep it well below the sagas' step deadlines (the
 * orchestrator warns at start-up about a deadline under twice the session timeout). 6 s is the
 * broker's lowest allowed (`group.min.session.timeout.ms`). A kafkajs member heartbeats between
 * fetches, so an idle one heartbeats only every KAFKA_MAX_WAIT: keep that well below the session.
 * Defaults: `DEFAULT_CONSUMER_TIMINGS` (wire/kafka/subscriber.ts), the same for code that builds a
 * subscriber without this table.
 */
export const consumerTimingEnvSpec = {
  KAFKA_SESSION_TIMEOUT: duration({
    default: DEFAULT_CONSUMER_TIMINGS.sessionTimeoutMs,
    desc: 'Consumer session timeout: how soon the group notices a dead member (keep it well below the step deadlines; the broker allows 6s and up by default)',
    example: '6s',
  }),
  KAFKA_HEARTBEAT_INTERVAL: duration({
    default: DEFAULT_CONSUMER_TIMINGS.heartbeatIntervalMs,
    desc: 'Consumer heartbeat period (below KAFKA_SESSION_TIMEOUT)',
    example: '1s',
  }),
  KAFKA_MAX_WAIT: duration({
    default: DEFAULT_CONSUMER_TIMINGS.maxWaitTimeMs,
    desc: 'Longest a fetch waits for messages (an idle consumer heartbeats between fetches: keep it well below KAFKA_SESSION_TIMEOUT)',
    example: '1s',
  }),
} as const;

/** The orchestrator service's own settings. */
export const orchestratorEnvSpec = {
  ...connectionEnvSpec,
  ...topicProvisioningEnvSpec,
  ...consumerTimingEnvSpec,
  HTTP_PORT: port({ default: 8080, desc: 'Port of the HTTP API, health and metrics' }),
  API_TOKEN: str({
    default: '',
    desc: 'When set, every /v1 route needs Authorization: Bearer <token>; this token may do everything (operator)',
  }),
  API_READ_TOKEN: str({
    default: '',
    desc: 'A read-only token: every GET of /v1 (console and API reads), 403 on every action. Only with API_TOKEN, and different from it',
  }),
  CONSOLE_GRAFANA_URL: blankOrHttpUrl()({
    default: '',
    desc: 'Base URL of Grafana the console links to (blank: no link)',
    example: 'http://localhost:3000',
  }),
  CONSOLE_TRACE_URL: blankOrHttpUrl('{traceId}')({
    default: '',
    desc: 'URL of one trace, with {traceId} where the id goes, the console links to (blank: no link)',
    example: 'http://127.0.0.1:16686/trace/{traceId}',
  }),
  REDIS_KEY_PREFIX: str({ default: 'saga', desc: 'Prefix of every Redis key of the store' }),
  SAGA_STORE_SHARDS: intBetween(
    1,
    1024,
  )({
    default: 16,
    desc: 'Store shards (hash tags). Fixed for the life of the data: do not change it later',
  }),
  SAGA_RETENTION: duration({
    default: 7 * 24 * 3_600_000,
    desc: 'How long finished sagas stay readable before they are deleted (parked ones stay)',
    example: '7d',
  }),
  SAGA_OUTAGE_GRACE: duration({
    default: 20_000,
    desc:
      'After the orchestrator could not work (broker, Redis or its consumer group lost), step ' +
      'deadlines wait the outage out plus as long again, at most this, for participants to reconnect',
    example: '20s',
  }),
  SAGA_LIFECYCLE_EVENTS: str<LifecycleEventLevel>({
    default: DEFAULT_LIFECYCLE_EVENT_LEVEL,
    choices: LIFECYCLE_EVENT_LEVELS,
    desc:
      'Lifecycle events published on <prefix>.events: saga (started, ended, parked, resumed, and ' +
      'definitions’ own emits), steps (also every step and compensation event), or none',
  }),
  SAGA_DEFINITIONS_DIR: str({
    default: '',
    desc: 'Extra folder of saga definitions to load (each <name>/index.ts|js default-exports one)',
  }),
  SAGA_TYPES: str({
    default: '',
    desc:
      'Saga types to run, comma-separated (blank: every loaded definition, the built-in order ' +
      'saga included); a name not found stops the start-up',
    example: 'refund,invoice',
  }),
  SAGA_START_VERSIONS: str({
    default: '',
    desc:
      'The version new sagas of a type start on where it is not the newest loaded, as ' +
      'type=version pairs, comma-separated (blank: the newest version of every type)',
    example: 'order=1',
  }),
  SHUTDOWN_TIMEOUT: duration({
    default: 30_000,
    desc: 'How long a graceful shutdown may take before the process exits anyway',
  }),
} as const;

/**
 * What a participant process (`npm run participant -- <name>`, the SDK's examples) reads beyond
 * {@link connectionEnvSpec}. Same names as the orchestrator's for the same meaning.
 */
export const participantEnvSpec = {
  ...topicProvisioningEnvSpec,
  PARTICIPANT_KEY_PREFIX: str({
    default: 'saga-example',
    desc: 'Prefix of the example participants’ Redis keys (state and command ledger)',
  }),
  PARTICIPANT_GROUP_ID: str({
    default: '',
    desc: 'Consumer group (default: <SAGA_TOPIC_PREFIX>.<participant>)',
  }),
  PARTICIPANT_METRICS_PORT: intBetween(
    0,
    65_535,
  )({
    default: 0,
    desc: 'Serve /metrics, /healthz and /readyz on this port (0: not served)',
  }),
  PARTICIPANT_CLAIM_LEASE: duration({
    default: 5_000,
    desc:
      'Lease of a command’s claim (renewed while the handler runs): how soon another instance ' +
      'takes over after a crash; keep it well below the step deadlines',
    example: '5s',
  }),
  PARTICIPANT_MAX_TRIES: intBetween(
    1,
    100,
  )({
    default: 3,
    desc: 'Tries of a handler per delivery before a retryable failure reply',
  }),
  ...consumerTimingEnvSpec,
  INVENTORY_STOCK: numberMap({
    what: 'units',
    check: (n) => Number.isInteger(n) && n >= 0,
  })({
    default: {},
    desc: 'inventory: stock to seed at start, sku=units comma-separated (blank: seed nothing)',
    example: 'SKU-1=10,SKU-2=5',
  }),
  PAYMENT_CREDIT_LIMITS: numberMap({ what: 'amount', check: (n) => n >= 0 })({
    default: {},
    desc: 'payment: credit limits to seed at start, customer=amount comma-separated',
    example: 'c-1=500,c-2=80',
  }),
  PAYMENT_DEFAULT_CREDIT_LIMIT: blankOrNumberAtLeast(0)({
    default: '',
    desc: 'payment: the credit limit of every other customer, seeded at start (blank: none)',
  }),
  SHIPPING_DELAY: duration({
    default: 0,
    desc: 'shipping: how long every ConfirmOrder takes (to exercise deadlines)',
    example: '250ms',
  }),
  SHIPPING_FAILURE_RATE: numberBetween(
    0,
    1,
  )({
    default: 0,
    desc: 'shipping: fraction of ConfirmOrder calls that fail transiently, 0 to 1',
  }),
  SHIPPING_FAILURE_SEED: str({
    default: 'shipping',
    desc: 'shipping: seed of which calls fail (the same seed fails the same calls)',
  }),
} as const;

export type OrchestratorEnvName = keyof typeof orchestratorEnvSpec;
export type ConnectionEnvName = keyof typeof connectionEnvSpec;
export type ParticipantEnvName = ConnectionEnvName | keyof typeof participantEnvSpec;

/** Every variable the orchestrator reads (besides OTEL_*), for the Helm chart's checks. */
export const ORCHESTRATOR_ENV_NAMES = Object.keys(orchestratorEnvSpec) as OrchestratorEnvName[];
/** Every variable a participant process reads (besides OTEL_*), for the Helm chart's checks. */
export const PARTICIPANT_ENV_NAMES = [
  ...Object.keys(connectionEnvSpec),
  ...Object.keys(participantEnvSpec),
] as ParticipantEnvName[];
