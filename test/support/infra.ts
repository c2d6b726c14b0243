/**
 * Real Kafka and Redis for integration and end-to-end tests.
 *
 * The broker and the server are the ones `scripts/infra.sh up` starts (or any others named by
 * `KAFKA_BROKERS` and `REDIS_URL`). Each test file gets its own topic prefix and key prefix, so
 * files never see each other's data, and everything it made is deleted afterwards.
 *
 * @example
 * describe('my feature', function () {
 *   const infra = useInfra('my-feature');
 *   it('works', async () => {
 *     const topic = await infra.createTopic('events');
 *     await infra.redis.set(infra.key('x'), '1');
 *   });
 * });
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { Redis } from 'ioredis';
import { waitForTopicLeaders } from '../../wire/kafka/topics.js';

export interface InfraEndpoints {
  brokers: string[];
  redisUrl: string;
}

/** Where the running infrastructure is; fails with the command to run when it is not set. */
export function infraEndpoints(): InfraEndpoints {
  const brokers = process.env.KAFKA_BROKERS;
  const redisUrl = process.env.REDIS_URL;
  if (!brokers || !redisUrl) {
    throw new Error(
      'Integration tests need a real Kafka and Redis: run `npm test` (it starts them), ' +
        'or `eval "$(scripts/infra.sh up)"` and then mocha.',
    );
  }
  return { brokers: brokers.split(',').map((b) => b.trim()), redisUrl };
}

function kafkaLogLevel(): logLevel {
  const levels: Record<string, logLevel> = {
    debug: logLevel.DEBUG,
    info: logLevel.INFO,
    warn: logLevel.WARN,
    error: logLevel.ERROR,
  };
  return levels[process.env.KAFKAJS_LOG_LEVEL ?? ''] ?? logLevel.NOTHING;
}

/** A prefix that no other test file or run shares: `t-<name>-<random>`. */
export function uniquePrefix(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 40);
  return `t-${safe}-${randomBytes(4).toString('hex')}`;
}

/** Client settings that make a single-node test broker fast to join and quick to fail. */
export const TEST_CONSUMER_TIMINGS = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 100,
  rebalanceTimeout: 6000,
} as const;

export interface TestInfra {
  readonly prefix: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly redis: Redis;
  /** A topic name under this file's prefix: `<prefix>.<name>`. */
  topic(name: string): string;
  /** A Redis key under this file's prefix: `<prefix>:<name>`. */
  key(name: string): string;
  /** Creates `<prefix>.<name>` and waits until it has a leader. */
  createTopic(name: string, numPartitions?: number): Promise<string>;
  /** A connected producer, disconnected after the file. */
  producer(options?: Parameters<Kafka['producer']>[0]): Promise<Producer>;
  /** A connected consumer in a fresh group, disconnected after the file. */
  consumer(options?: Partial<Parameters<Kafka['consumer']>[0]>): Promise<Consumer>;
  /** Another ioredis connection, closed after the file. */
  redisConnection(): Redis;
  /**
   * Runs `cleanup` after the file, before the clients above are closed (cleanups run last
   * registered first): a system under test stops while its connections still work.
   */
  addCleanup(cleanup: () => Promise<unknown>): void;
}

/**
 * Registers before/after hooks in the current `describe` that connect a kafkajs admin and an
 * ioredis client, and afterwards delete every topic and key under the file's prefix.
 */
export function useInfra(name: string): TestInfra {
  const prefix = uniquePrefix(name);
  const cleanups: Array<() => Promise<unknown>> = [];
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let redis: Redis | undefined;

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is used before the before() hook ran`);
    return value;
  };

  before(async function () {
    this.timeout(60_000);
    const { brokers, redisUrl } = infraEndpoints();
    // kafkajs logs retriable broker answers (coordinator loading, …) as errors; tests assert on
    // outcomes instead. KAFKAJS_LOG_LEVEL=debug|info|warn|error brings the log back.
    kafka = new Kafka({ clientId: prefix, brokers, logLevel: kafkaLogLevel() });
    admin = kafka.admin();
    await admin.connect();
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
  });

  after(async function () {
    this.timeout(60_000);
    // Clients first (consumers must leave their groups before their topics go).
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (process.env.KEEP_TEST_DATA) {
      // Debugging: leave the file's topics and keys for kcat / redis-cli (prefix in the log).
      console.error(`KEEP_TEST_DATA: kept topics and keys under ${prefix}`);
      await admin?.disconnect();
      redis?.disconnect();
      return;
    }
    if (admin) {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      await admin.disconnect();
    }
    if (redis) {
      await deleteKeys(redis, `${prefix}:*`);
      // Hash-tagged keys (`{<prefix>:...}`) are matched too.
      await deleteKeys(redis, `{${prefix}*`);
      redis.disconnect();
    }
  });

  return {
    prefix,
    get kafka() {
      return need(kafka, 'infra.kafka');
    },
    get admin() {
      return need(admin, 'infra.admin');
    },
    get redis() {
      return need(redis, 'infra.redis');
    },
    topic: (topicName) => `${prefix}.${topicName}`,
    key: (keyName) => `${prefix}:${keyName}`,
    async createTopic(topicName, numPartitions = 1) {
      const topic = `${prefix}.${topicName}`;
      const connected = need(admin, 'infra.admin');
      await connected.createTopics({
        topics: [{ topic, numPartitions, replicationFactor: 1 }],
        waitForLeaders: false,
      });
      await waitForTopicLeaders(connected, [topic]);
      return topic;
    },
    async producer(options) {
      const producer = need(kafka, 'infra.kafka').producer(options);
      await producer.connect();
      cleanups.push(() => producer.disconnect());
      return producer;
    },
    async consumer(options) {
      const consumer = need(kafka, 'infra.kafka').consumer({
        groupId: `${prefix}-${randomBytes(3).toString('hex')}`,
        ...TEST_CONSUMER_TIMINGS,
        ...options,
      });
      await consumer.connect();
      cleanups.push(() => consumer.disconnect());
      return consumer;
    },
    addCleanup(cleanup) {
      cleanups.push(cleanup);
    },
    redisConnection() {
      const connection = new Redis(infraEndpoints().redisUrl, { maxRetriesPerRequest: 3 });
      cleanups.push(async () => connection.disconnect());
      return connection;
    },
  };
}

/** Resolves when the consumer has joined its group (produce only after this in tests). */
export function groupJoined(consumer: Consumer, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`consumer did not join its group within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      remove();
      resolve();
    });
  });
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
