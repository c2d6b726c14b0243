/**
 * Side A of a transport-limit session: a "saga" is three commands and three replies, one after
 * the other, keyed by saga id, on the same topics as the order saga — with no engine, no store
 * model and no SDK. Three variants, by which legs are real:
 *
 * - `kafka` only: a reply batch turns straight into the next commands (published at once).
 * - `kafka` + `redis`: the orchestrator's Redis round trips done raw — per reply batch one
 *   pipelined HGETALL per saga, then one pipelined EVALSHA per saga writing an apply-step-sized
 *   step with the next command in the shard's outbox stream; a relay loop per shard reads the
 *   outbox (XRANGE), publishes, and deletes (XDEL). Starts are one EVALSHA each, like `startSaga`.
 * - `redis` only: the same Redis work, with the Kafka legs replaced by an in-process loop-back.
 *
 * A saga's clock means what the orchestrator side's does: from its (scheduled) start to its third
 * reply processed and, with `redis`, that step's write returned — the orchestrator side stops it
 * when the end state's commit is written — so latencies at one offered rate can be compared.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { topicNames } from '../../wire/contract/topics.js';
import { shardOf } from '../../orchestrator/store/index.js';
import { createLogger } from '../../wire/telemetry/logger.js';
import { createKafkaClient } from '../../wire/kafka/index.js';
import { LoadDriver } from '../load/load-driver.js';
import { CoalescingSender, startRawConsumer, type RawMessage } from './raw-kafka.js';
import { commandRecord } from './raw-messages.js';

export interface RawRequesterConfig {
  brokers: string[];
  redisUrl: string;
  topicPrefix: string;
  keyPrefix: string;
  idPrefix: string;
  kafka: boolean;
  redis: boolean;
}

export interface RawRequester {
  driver: LoadDriver;
  takePublished(): number;
  stop(): Promise<void>;
}

/** The store's defaults: 16 shards, 500 outbox entries per relay read, 4 partitions at once. */
const SHARDS = 16;
const RELAY_BATCH = 500;
const RELAY_POLL_MS = 100;
const PARTITIONS_CONCURRENTLY = 4;
/** Sized so a step's arguments match apply-step's for the order saga (≈ 3.9 KB). */
const RECORD_BLOB = 'r'.repeat(2_700);
const HISTORY_ENTRY = JSON.stringify({ event: 'StepSucceeded', pad: 'h'.repeat(560) });

type RawStep = (...args: (string | number)[]) => Promise<unknown>;

export async function startRawRequester(config: RawRequesterConfig): Promise<RawRequester> {
  const logger = createLogger('raw-requester', { level: 'info' });
  const steps = new Map<string, number>();
  let published = 0;

  const redis = config.redis ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3 }) : undefined;
  redis?.defineCommand('benchRawStep', {
    numberOfKeys: 3,
    lua: readFileSync(new URL('./scripts/raw-step-3.lua', import.meta.url), 'utf8'),
  });
  const base = (shard: number) => `${config.keyPrefix}:{s${shard}}:`;
  const stepKeys = (sagaId: string) => {
    const shard = shardOf(sagaId, SHARDS);
    return [
      `${base(shard)}saga:${sagaId}`,
      `${base(shard)}history:${sagaId}`,
      `${base(shard)}outbox`,
    ];
  };
  const stepArgs = (expectedRevision: number, next: RawMessage | undefined) => [
    String(expectedRevision),
    RECORD_BLOB,
    HISTORY_ENTRY,
    ...(next ? [next.topic, next.key, next.value, JSON.stringify(next.headers)] : []),
  ];

  const kafka = config.kafka
    ? createKafkaClient({ brokers: config.brokers, clientId: 'bench-raw-requester', logger })
    : undefined;
  const sender = kafka ? new CoalescingSender(kafka) : undefined;
  await sender?.connect();

  /** Publishes commands; without Kafka they come straight back as replies (loop-back). */
  const publish = async (records: RawMessage[]): Promise<void> => {
    published += records.length;
    if (sender) return sender.send(records);
    setImmediate(() => {
      onReplies(records.map((record) => record.key)).catch((error: unknown) =>
        logger.error('loop-back replies failed', { error }),
      );
    });
  };

  const relays = new Map<number, { wake: () => void; pending: boolean }>();
  let relaying = true;
  const relayDone: Promise<void>[] = [];
  const notify = (sagaId: string) => {
    const relay = relays.get(shardOf(sagaId, SHARDS));
    if (!relay) return;
    relay.pending = true;
    relay.wake();
  };
  if (redis) {
    for (let shard = 0; shard < SHARDS; shard++) {
      const relay = { wake: () => undefined as void, pending: false };
      relays.set(shard, relay);
      relayDone.push(relayLoop(shard, relay));
    }
  }
  async function relayLoop(shard: number, relay: { wake: () => void; pending: boolean }) {
    const key = `${base(shard)}outbox`;
    while (relaying && redis) {
      relay.pending = false;
      const entries = await redis.xrange(key, '-', '+', 'COUNT', RELAY_BATCH);
      if (entries.length > 0) {
        await publish(entries.map(([, fields]) => fromStream(fields)));
        await redis.xdel(key, ...entries.map(([id]) => id));
        continue;
      }
      if (relay.pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RELAY_POLL_MS);
        relay.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async function onReplies(sagaIds: readonly string[]): Promise<void> {
    const live = sagaIds.filter((id) => steps.has(id));
    const nexts: RawMessage[] = [];
    const advanced: { id: string; step: number }[] = [];
    for (const id of live) {
      const step = (steps.get(id) ?? 0) + 1;
      advanced.push({ id, step });
      if (step < 3) nexts.push(commandRecord(config.topicPrefix, id, step));
    }
    if (redis) {
      const loads = redis.pipeline();
      for (const id of live) loads.hgetall(stepKeys(id)[0] ?? '');
      await loads.exec();
      const writes = redis.pipeline() as unknown as Record<string, RawStep> & {
        exec(): Promise<unknown>;
      };
      let n = 0;
      for (const { id, step } of advanced) {
        const next = step < 3 ? nexts[n++] : undefined;
        void writes.benchRawStep?.(...stepKeys(id), ...stepArgs(step, next));
      }
      await writes.exec();
    } else {
      // Published in the background, like the orchestrator's outbox relay after a commit.
      publish(nexts).catch((error: unknown) => logger.error('publish failed', { error }));
    }
    for (const { id, step } of advanced) {
      if (step >= 3) {
        steps.delete(id);
        driver.completed(id, true);
      } else {
        steps.set(id, step);
        if (redis) notify(id);
      }
    }
  }

  let consumer: Consumer | undefined;
  if (kafka) {
    consumer = await startRawConsumer(kafka, {
      groupId: `${config.topicPrefix}.raw-requester`,
      topics: [topicNames(config.topicPrefix).replies],
      partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
      handle: (batch) => onReplies(batch.messages.map((message) => message.key)),
    });
  }

  const driver = new LoadDriver(
    {
      async start(sagaId) {
        steps.set(sagaId, 0);
        const first = commandRecord(config.topicPrefix, sagaId, 0);
        if (redis) {
          const rawStep = (redis as unknown as Record<string, RawStep>).benchRawStep;
          await rawStep?.call(redis, ...stepKeys(sagaId), ...stepArgs(0, first));
          notify(sagaId);
        } else {
          publish([first]).catch((error: unknown) => logger.error('publish failed', { error }));
        }
      },
    },
    config.idPrefix,
  );

  return {
    driver,
    takePublished() {
      const count = published;
      published = 0;
      return count;
    },
    async stop() {
      relaying = false;
      for (const relay of relays.values()) relay.wake();
      await Promise.all(relayDone);
      await consumer?.disconnect();
      await sender?.close();
      redis?.disconnect();
    },
  };
}

function fromStream(fields: string[]): RawMessage {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return {
    topic: map.get('t') ?? '',
    key: map.get('k') ?? '',
    value: map.get('v') ?? '',
    headers: JSON.parse(map.get('h') ?? '{}') as Record<string, string>,
  };
}
