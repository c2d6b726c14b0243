import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { Kafka, type ISocketFactory } from 'kafkajs';
import { useInfra, infraEndpoints } from '../../support/infra.js';
import {
  compileKafkaOptions,
  createKafkaClient,
  createKafkaPublisher,
  createKafkaSubscriber,
  fetchConsumerLag,
  totalLag,
  type KafkaPublisher,
  type KafkaSubscriber,
  type MembershipEvent,
} from '../../../wire/kafka/index.js';
import type { IncomingMessage } from '../../../wire/transport/ports.js';
import { until } from '../../support/eventually.js';
import { recordingLogger, TEST_SUBSCRIBER_TIMINGS, testKafkaOptions } from './support.js';

describe('transport: subscribers in a group', function () {
  this.timeout(180_000);
  const infra = useInfra('transport-group');
  const { logger, lines } = recordingLogger();
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  const running: KafkaSubscriber[] = [];

  before(async () => {
    kafka = createKafkaClient(testKafkaOptions(infra.prefix, logger));
    publisher = await createKafkaPublisher({ kafka, logger });
  });
  after(async () => {
    await Promise.allSettled(running.map((s) => s.stop()));
    await publisher.close();
  });

  const subscriber = (groupId: string, topic: string, client = kafka) => {
    const created = createKafkaSubscriber({
      kafka: client,
      logger,
      groupId,
      topics: [topic],
      ...TEST_SUBSCRIBER_TIMINGS,
    });
    running.push(created);
    return created;
  };
  const publishRange = (topic: string, from: number, count: number) =>
    publisher.publish(
      Array.from({ length: count }, (_, i) => ({
        topic,
        key: `saga-${(from + i) % 17}`,
        value: String(from + i),
      })),
    );
  const caughtUp = async (groupId: string, topic: string) =>
    totalLag(await fetchConsumerLag({ admin: infra.admin, groupId, topics: [topic] })) === 0;
  const members = async (groupId: string) =>
    (await infra.admin.describeGroups([groupId])).groups[0]?.members.length ?? 0;

  it('shares a 4-partition topic between two members, and hands partitions over on stop without loss', async () => {
    const topic = await infra.createTopic('shared', 4);
    const groupId = `${infra.prefix}-shared`;
    const seen = { a: [] as IncomingMessage[], b: [] as IncomingMessage[] };
    const a = subscriber(groupId, topic);
    const b = subscriber(groupId, topic);
    await a.start(async (messages) => void seen.a.push(...messages));
    await b.start(async (messages) => void seen.b.push(...messages));
    const partitionsOf = (s: KafkaSubscriber) => [...(s.assignment()[topic] ?? [])].sort();
    await until('two partitions each', () => {
      return (
        a.isJoined() && b.isJoined() && partitionsOf(a).length === 2 && partitionsOf(b).length === 2
      );
    });
    expect([...partitionsOf(a), ...partitionsOf(b)].sort()).to.deep.equal([0, 1, 2, 3]);

    await publishRange(topic, 0, 100);
    await until('the first hundred', () => caughtUp(groupId, topic));
    expect(seen.a.length).to.be.greaterThan(0);
    expect(seen.b.length).to.be.greaterThan(0);
    expect(seen.a.every((m) => partitionsOf(a).includes(m.partition))).to.equal(true);
    expect(seen.b.every((m) => partitionsOf(b).includes(m.partition))).to.equal(true);

    // Stop b while messages keep coming: a takes over b's partitions and nothing goes missing.
    const publishing = (async () => {
      for (let from = 100; from < 200; from += 10) await publishRange(topic, from, 10);
    })();
    await b.stop();
    await publishing;
    await until('a to own all four partitions', () => a.isJoined() && partitionsOf(a).length === 4);
    await until('everything consumed', () => caughtUp(groupId, topic));
    const all = [...seen.a, ...seen.b].map((m) => Number(m.value?.toString()));
    expect(new Set(all).size).to.equal(200);
    expect(Math.min(...all)).to.equal(0);
    expect(Math.max(...all)).to.equal(199);
    expect(await members(groupId)).to.equal(1);
  });

  it('leaves no member behind after repeated start and stop', async () => {
    const topic = await infra.createTopic('cycles', 2);
    const groupId = `${infra.prefix}-cycles`;
    const handled: number[] = [];
    const reused = subscriber(groupId, topic);
    for (let round = 0; round < 3; round++) {
      // The same subscriber object and a fresh one, alternately.
      const current = round % 2 === 0 ? reused : subscriber(groupId, topic);
      await current.start(async (messages) => {
        handled.push(...messages.map((m) => Number(m.value?.toString())));
      });
      expect(current.isJoined()).to.equal(true);
      expect(await members(groupId)).to.equal(1);
      await publishRange(topic, round * 5, 5);
      await until(`round ${round} consumed`, () => caughtUp(groupId, topic));
      await current.stop();
      expect(current.isJoined()).to.equal(false);
      const { groups } = await infra.admin.describeGroups([groupId]);
      expect(groups[0]?.members).to.have.length(0);
      expect(groups[0]?.state).to.equal('Empty');
      expect(current.crashCount()).to.equal(0);
    }
    expect([...handled].sort((x, y) => x - y)).to.deep.equal(
      Array.from({ length: 15 }, (_, i) => i),
    );
  });

  it('tells its membership: the assignment at each join, a rebalance when a member comes, leaving on stop', async () => {
    const topic = await infra.createTopic('membership', 4);
    const groupId = `${infra.prefix}-membership`;
    const events: { first: MembershipEvent[]; second: MembershipEvent[] } = {
      first: [],
      second: [],
    };
    const member = (name: 'first' | 'second') => {
      const created = createKafkaSubscriber({
        kafka,
        logger,
        groupId,
        topics: [topic],
        ...TEST_SUBSCRIBER_TIMINGS,
        onMembership: (event) => events[name].push(event),
      });
      running.push(created);
      return created;
    };
    const partitionsOf = (event: MembershipEvent | undefined) =>
      event?.kind === 'joined' ? [...(event.assignment[topic] ?? [])] : undefined;
    const first = member('first');
    await first.start(async () => undefined);
    expect(partitionsOf(events.first.at(-1))).to.deep.equal([0, 1, 2, 3]);

    const second = member('second');
    await second.start(async () => undefined);
    await until('the first member to join again after the rebalance', () =>
      events.first.some((e, i) => e.kind === 'joined' && i > 0),
    );
    // Eager: the first member gave everything up (rebalancing) before its new, smaller share.
    const kinds = events.first.map((e) => e.kind);
    expect(kinds.indexOf('rebalancing')).to.be.within(1, kinds.lastIndexOf('joined') - 1);
    const split = [partitionsOf(events.first.at(-1)), partitionsOf(events.second.at(-1))];
    expect(split.flatMap((p) => p ?? []).sort()).to.deep.equal([0, 1, 2, 3]);
    expect(split.map((p) => p?.length)).to.deep.equal([2, 2]);

    await second.stop();
    await until('the stopped member to say it left', () =>
      events.second.some((e) => e.kind === 'left' && e.reason === 'stopped'),
    );
    await until(
      'the first member to get every partition back',
      () => partitionsOf(events.first.at(-1))?.length === 4,
    );
    await first.stop();
  });

  it('restarts a consumer that crashed when its broker connections were cut, and keeps consuming', async () => {
    const topic = await infra.createTopic('crash');
    const groupId = `${infra.prefix}-crash`;
    // A real outage: every socket to the broker is destroyed and new ones are refused until
    // the network "comes back". The broker itself stays up for everyone else.
    const network = new FlakyNetwork();
    const compiled = compileKafkaOptions({
      brokers: infraEndpoints().brokers,
      clientId: `${infra.prefix}-flaky`,
      logger,
      logLevel: 'warn',
      retries: 1,
      initialRetryTimeMs: 100,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 3_000,
    });
    const flakyKafka = new Kafka({ ...compiled.kafkaConfig, socketFactory: network.factory });
    const received: number[] = [];
    const flaky = subscriber(groupId, topic, flakyKafka);
    await flaky.start(async (messages) => {
      received.push(...messages.map((m) => Number(m.value?.toString())));
    });
    await publishRange(topic, 0, 1);
    await until('the first message', () => received.includes(0));

    network.cut();
    await until('a crash', () => flaky.crashCount() >= 1, 90_000);
    expect(flaky.isJoined()).to.equal(false);
    expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('consumer crashed'))).to.equal(
      true,
    );

    network.restore();
    await until('the group joined again', () => flaky.isJoined(), 90_000);
    await publishRange(topic, 1, 1);
    await until('a message after the outage', () => received.includes(1), 60_000);
    await flaky.stop();
    expect(await members(groupId)).to.equal(0);
  });
});

/** Socket factory whose connections the test can cut, to make kafkajs crash for real. */
class FlakyNetwork {
  private down = false;
  private readonly sockets = new Set<Socket>();

  readonly factory: ISocketFactory = ({ host, port, onConnect }) => {
    // While down, connect to a port nothing listens on: a real "connection refused".
    const socket = connect(this.down ? { host: '127.0.0.1', port: 1 } : { host, port }, onConnect);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  };

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }
}
