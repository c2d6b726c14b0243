/**
 * The demo (the README's main job). Until the engine lands it checks that the local Kafka and
 * Redis answer for real and says where they are; it grows into the full order-saga run.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const redisUrl = process.env.REDIS_URL ?? '';
if (brokers.length === 0 || !redisUrl) {
  console.error('KAFKA_BROKERS and REDIS_URL must be set (npm run demo sets them).');
  process.exit(2);
}

const kafka = new Kafka({ clientId: 'saga-demo', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  await redis.connect();
  const info = await redis.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  console.log(`Kafka ready: ${cluster.brokers.length} broker(s) at ${brokers.join(',')}`);
  console.log(`Redis ready: version ${redisVersion} at ${redisUrl}`);
  console.log('Infrastructure is ready. Stop it with: npm run infra:down');
} catch (error) {
  console.error(`Infrastructure is not ready: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect();
  redis.disconnect();
}
