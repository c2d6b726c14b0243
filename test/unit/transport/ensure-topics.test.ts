/**
 * Regression: right after creating a topic, a busy broker answers metadata requests for it with
 * UNKNOWN_TOPIC_OR_PARTITION for a while. kafkajs' `createTopics({ waitForLeaders: true })` gives
 * up on that answer (it only waits out LEADER_NOT_AVAILABLE), so the orchestrator process failed
 * to start ("could not start: This server does not host this topic-partition", exit 1) — seen in
 * test/e2e/orchestrator-crash.test.ts on the shared broker. ensureTopics now waits for the leaders
 * itself and asks again while the metadata settles.
 *
 * The broker's timing cannot be forced on a real one, so this uses an admin that answers the way
 * the broker did (the integration tests create topics on the real broker).
 */
import { expect } from 'chai';
import type { Admin, ITopicMetadata } from 'kafkajs';
import { silentLogger } from '../../../wire/telemetry/logger.js';
import { ensureTopics } from '../../../wire/kafka/topics.js';

/** An error the way kafkajs' protocol layer reports a broker's error code. */
function protocolError(type: string): Error {
  return Object.assign(new Error(`broker says ${type}`), { type, retriable: true });
}

/**
 * An admin that creates topics at once and then answers their metadata with `answers`, one per
 * request (an error type, or a leader id for every partition), the last one for good.
 */
function settlingAdmin(answers: ReadonlyArray<string | number>) {
  const created = new Map<string, number>();
  const calls = { createTopics: [] as unknown[], fetchTopicMetadata: 0 };
  const admin = {
    listTopics: async () => [...created.keys()],
    describeCluster: async () => ({ brokers: [{ nodeId: 1, host: 'b', port: 1 }] }),
    createTopics: async (options: {
      topics: { topic: string; numPartitions: number }[];
      waitForLeaders?: boolean;
    }) => {
      calls.createTopics.push({ waitForLeaders: options.waitForLeaders });
      for (const t of options.topics) created.set(t.topic, t.numPartitions);
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const answer = answers[Math.min(calls.fetchTopicMetadata, answers.length - 1)];
      calls.fetchTopicMetadata += 1;
      if (typeof answer === 'string') throw protocolError(answer);
      const metadata: ITopicMetadata[] = topics.map((name) => ({
        name,
        partitions: Array.from({ length: created.get(name) ?? 0 }, (_, partitionId) => ({
          partitionErrorCode: 0,
          partitionId,
          leader: answer ?? -1,
          replicas: [1],
          isr: [1],
          offlineReplicas: [],
        })),
      }));
      return { topics: metadata };
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

const specs = [
  { topic: 'p.replies', partitions: 2 },
  { topic: 'p.requests', partitions: 2 },
];

describe('ensureTopics: a new topic whose metadata is still settling', () => {
  it('waits through UNKNOWN_TOPIC_OR_PARTITION and leaderless partitions, then reports it created', async () => {
    const { admin, calls } = settlingAdmin([
      'UNKNOWN_TOPIC_OR_PARTITION',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'LEADER_NOT_AVAILABLE',
      -1,
      1,
    ]);
    const reports = await ensureTopics({ admin, topics: specs, logger: silentLogger });
    expect(reports.map((r) => [r.topic, r.outcome, r.partitions])).to.deep.equal([
      ['p.replies', 'created', 2],
      ['p.requests', 'created', 2],
    ]);
    // Four answers while settling, the fifth with leaders, one more for the partition counts.
    expect(calls.fetchTopicMetadata).to.equal(6);
    expect(calls.createTopics).to.deep.equal([
      { waitForLeaders: false },
      { waitForLeaders: false },
    ]);
  });

  // Regression (test/e2e/cluster-topology.test.ts, 1 start in 6): on a 3-broker cluster one broker
  // showed the new topics' leaders and the next metadata request, answered by a broker that had
  // not caught up yet, said UNKNOWN_TOPIC_OR_PARTITION; reading the partition counts then failed
  // the orchestrator's start.
  it('asks again for the partition counts when another broker has not caught up yet', async () => {
    const { admin, calls } = settlingAdmin([1, 'UNKNOWN_TOPIC_OR_PARTITION', 1]);
    const reports = await ensureTopics({ admin, topics: specs, logger: silentLogger });
    expect(reports.map((r) => [r.topic, r.outcome, r.partitions])).to.deep.equal([
      ['p.replies', 'created', 2],
      ['p.requests', 'created', 2],
    ]);
    // Leaders at once, then the counts asked twice.
    expect(calls.fetchTopicMetadata).to.equal(3);
  });

  it('gives up after its timeout, naming the topics and the last answer', async () => {
    const { admin } = settlingAdmin(['UNKNOWN_TOPIC_OR_PARTITION']);
    const error = await ensureTopics({
      admin,
      topics: specs,
      timeoutMs: 250,
      logger: silentLogger,
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal(
      'topics p.replies, p.requests have no leaders after 250 ms (last answer: UNKNOWN_TOPIC_OR_PARTITION)',
    );
  });

  it('does not retry other errors', async () => {
    const { admin, calls } = settlingAdmin(['TOPIC_AUTHORIZATION_FAILED', 1]);
    const error = await ensureTopics({ admin, topics: specs, logger: silentLogger }).then(
      () => undefined,
      (e: unknown) => e as { type?: string },
    );
    expect(error?.type).to.equal('TOPIC_AUTHORIZATION_FAILED');
    expect(calls.fetchTopicMetadata).to.equal(1);
  });
});
