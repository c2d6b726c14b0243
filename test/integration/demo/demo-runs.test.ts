/**
 * The demo's run prefixes and the deletion of earlier runs' data, on real Kafka and Redis. The
 * runs here are made up (dated 1999) so that nothing of a real run is touched by the assertions;
 * the deletion itself removes every demo run that is not alive, as the demo does at start.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  claimRun,
  cleanOldRuns,
  DEMO_PREFIX,
  demoPrefixOf,
  LIVE_RUNS_KEY,
  newRunPrefix,
} from '../../../scripts/demo/demo-runs.js';
import { waitForTopicLeaders } from '../../../wire/kafka/index.js';
import { useInfra } from '../../support/infra.js';

describe('demo runs: a prefix per run, earlier runs deleted unless alive (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const infra = useInfra('demo-runs');

  it('makes prefixes that name a run and nothing else', () => {
    const prefix = newRunPrefix(new Date('2026-11-26T10:15:00.123Z'));
    expect(prefix).to.match(/^demo-20261126-101500-[0-9a-f]{4}$/);
    expect(prefix).to.match(DEMO_PREFIX);
    expect(demoPrefixOf(`${prefix}.replies`)).to.equal(prefix);
    expect(demoPrefixOf(`${prefix}:{s3}:saga:order-1`)).to.equal(prefix);
    expect(demoPrefixOf('demo-notes.replies')).to.equal(undefined);
    expect(demoPrefixOf(`${prefix}`), 'the bare prefix is no topic or key of a run').to.equal(
      undefined,
    );
  });

  it('deletes the topics and keys of runs that are not alive, keeps the live ones and its own', async () => {
    const made = (second: number) =>
      `demo-19990101-00000${second}-${randomBytes(2).toString('hex')}`;
    const [old, alive, own] = [made(1), made(2), made(3)];
    const { admin, redis } = infra;
    await admin.createTopics({
      topics: [old, alive, own].map((p) => ({
        topic: `${p}.replies`,
        numPartitions: 1,
        replicationFactor: 1,
      })),
      waitForLeaders: false,
    });
    // kafkajs' own waitForLeaders gives up on a loaded broker ("This server does not host this
    // topic-partition" while the topic settles, seen in a CI run); the project's wait does not.
    await waitForTopicLeaders(
      admin,
      [old, alive, own].map((p) => `${p}.replies`),
    );
    for (const p of [old, alive, own]) {
      await redis.set(`${p}:{s1}:saga:order-1`, 'x');
      await redis.hset(`${p}:shop:{inventory}:stock`, 'SKU-1', '5');
    }
    const claim = await claimRun(redis, alive);
    try {
      const report = await cleanOldRuns(redis, admin, own);
      expect(report.runs).to.include(old);
      expect(report.runs).to.not.include.members([alive, own]);
      expect(report.keys).to.be.at.least(2);

      const topics = await admin.listTopics();
      expect(topics).to.not.include(`${old}.replies`);
      expect(topics).to.include.members([`${alive}.replies`, `${own}.replies`]);
      expect(
        await redis.exists(`${old}:{s1}:saga:order-1`, `${old}:shop:{inventory}:stock`),
      ).to.equal(0);
      expect(
        await redis.exists(`${alive}:{s1}:saga:order-1`, `${own}:shop:{inventory}:stock`),
      ).to.equal(2);
      expect(await redis.zscore(LIVE_RUNS_KEY, alive)).to.not.equal(null);
    } finally {
      await claim.stop();
    }
    // Its claim given up, the run is deleted by the next start like any other.
    expect(await redis.zscore(LIVE_RUNS_KEY, alive)).to.equal(null);
    const later = await cleanOldRuns(redis, admin, made(4));
    expect(later.runs).to.include.members([alive, own]);
    expect(await redis.exists(`${alive}:{s1}:saga:order-1`, `${own}:{s1}:saga:order-1`)).to.equal(
      0,
    );
  });
});
