/**
 * Regression: a shard lease lost and taken back within one renewal round left the shard's outbox
 * unpublished. The relay loop saw the loss and ended; the ownership's set looked unchanged after
 * the round, so nobody told the relay to start again, and every later command of that shard sat
 * in Redis until its saga timed out and parked (seen in the 500-saga run on a loaded machine).
 * Real Redis store and shard leases; the publisher is a recording implementation of the port.
 */
import { expect } from 'chai';
import { createSagaStore, type SagaStore } from '../../../orchestrator/store/index.js';
import { createLogger } from '../../../wire/telemetry/logger.js';
import { OutboxRelay } from '../../../orchestrator/runtime/outbox-relay.js';
import type { MessagePublisher, OutgoingMessage } from '../../../wire/transport/ports.js';
import { systemClock } from '../../../orchestrator/runtime/clock.js';
import { ShardOwnership } from '../../../orchestrator/runtime/shard-ownership.js';
import { elapse, until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';
import { startedRecord } from '../store/records.js';

describe('outbox relay across a lost and re-taken shard lease (real Redis)', function () {
  this.timeout(30_000);
  const infra = useInfra('relay-leases');
  let store: SagaStore;

  before(() => {
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 1 });
  });

  it('keeps publishing a shard after its lease was lost and taken back', async () => {
    const published: OutgoingMessage[] = [];
    const publisher: MessagePublisher = {
      publish: async (messages) => {
        published.push(...messages);
      },
      close: async () => undefined,
    };
    const lines: string[] = [];
    const logger = createLogger('relay-test', { level: 'info', write: (line) => lines.push(line) });
    // Taking a lease is slow here (as on a loaded Redis), so the relay surely sees the gap
    // between losing the shard and taking it back.
    const slowLeases = {
      ...store,
      shards: store.shards,
      tryAcquireLease: async (shard: number, owner: string, ttlMs: number) => {
        await elapse(100);
        return store.tryAcquireLease(shard, owner, ttlMs);
      },
    };
    const ownership = new ShardOwnership({
      store: slowLeases,
      owner: 'instance-a',
      clock: systemClock,
      logger,
      leaseTtlMs: 600,
    });
    const relay = new OutboxRelay({
      source: store,
      publisher,
      ownership,
      logger,
      pollIntervalMs: 20,
    });
    await ownership.start();
    relay.start();
    infra.addCleanup(async () => {
      await relay.stop({ drain: false });
      await ownership.stop();
    });

    const enqueue = async (label: string) => {
      const record = startedRecord();
      await store.create(record, {
        outbox: [{ topic: 't', key: record.id, value: label }],
      });
    };
    await enqueue('before');
    await until('the first message', () => published.length === 1);

    // The lease runs out behind the instance's back (a long pause, a slow Redis): the next
    // renewal fails, and the same round takes the free shard again.
    await infra.redis.del(store.keys.lease(0));
    await until('the loss to be noticed', () => lines.some((l) => l.includes('lost the lease')));
    await until('the shard to be owned again', () => ownership.shards().has(0));

    await enqueue('after');
    await until('the message written after the lease came back', () =>
      published.some((m) => m.value === 'after'),
    );
    expect(published.map((m) => m.value)).to.deep.equal(['before', 'after']);
  });
});
