import { expect } from 'chai';
import { groupJoined, useInfra } from '../support/infra.js';

describe('local infrastructure (real Kafka and Redis)', function () {
  const infra = useInfra('infra-roundtrip');

  it('produces keyed records to a fresh topic and consumes them back in order', async () => {
    const topic = await infra.createTopic('roundtrip', 3);
    const consumer = await infra.consumer();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: string; partition: number }> = [];
    const joined = groupJoined(consumer);
    const allReceived = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            partition,
          });
          if (received.length === 30) resolve();
        },
      });
    });
    await joined;

    const producer = await infra.producer({ idempotent: true });
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `saga-${i % 5}`,
      value: JSON.stringify({ seq: i }),
    }));
    await producer.send({ topic, messages });
    await allReceived;

    expect(received).to.have.length(30);
    for (let k = 0; k < 5; k++) {
      const forKey = received.filter((r) => r.key === `saga-${k}`);
      // One key, one partition, in the order produced: the property the orchestrator relies on.
      expect(new Set(forKey.map((r) => r.partition)).size).to.equal(1);
      const seqs = forKey.map((r) => (JSON.parse(r.value) as { seq: number }).seq);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
      expect(seqs).to.have.length(6);
    }
  });

  it('commits a transaction that a read_committed consumer sees, and hides an aborted one', async () => {
    const topic = await infra.createTopic('txn');
    const producer = await infra.producer({
      transactionalId: `${infra.prefix}-txn`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'k', value: 'committed' }] });
    await committed.commit();

    const consumer = await infra.consumer({ readUncommitted: false });
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.includes('committed')) resolve();
        },
      });
    });
    expect(values).to.deep.equal(['committed']);
  });

  it('runs a Lua script atomically on Redis', async () => {
    const counter = infra.key('counter');
    const log = infra.key('log');
    // Increment and append in one step: both change or neither does.
    const script = `
      local n = redis.call('INCRBY', KEYS[1], ARGV[1])
      redis.call('RPUSH', KEYS[2], 'added:' .. ARGV[1])
      return n`;
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => infra.redis.eval(script, 2, counter, log, String(n))),
    );
    // Each call saw the others' increments whole: four distinct running totals ending at 10.
    const totals = (results as number[]).sort((a, b) => a - b);
    expect(new Set(totals).size).to.equal(4);
    expect(totals[3]).to.equal(10);
    expect(await infra.redis.get(counter)).to.equal('10');
    expect(await infra.redis.lrange(log, 0, -1)).to.have.members([
      'added:1',
      'added:2',
      'added:3',
      'added:4',
    ]);
  });

  it('runs Redis with append-only persistence, as the design documents', async () => {
    const config = await infra.redis.config('GET', 'appendonly');
    expect(config).to.deep.equal(['appendonly', 'yes']);
    const fsync = await infra.redis.config('GET', 'appendfsync');
    expect(fsync).to.deep.equal(['appendfsync', 'everysec']);
  });
});
