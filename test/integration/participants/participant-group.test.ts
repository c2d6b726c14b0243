import { expect } from 'chai';
import { AssignerProtocol } from 'kafkajs';
import {
  checkInventoryInvariants,
  readInventory,
  seedInventory,
} from '../../../participants/examples/inventory/index.js';
import { eventually } from '../../support/eventually.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, useInfra } from '../../support/infra.js';
import { orderCommand } from './support/drive-participant.js';
import { kafkaParticipants } from './support/kafka-participants.js';
import {
  spawnParticipant,
  useParticipantProcesses,
  type ParticipantProcess,
} from './support/participant-process.js';
import { collectReplies } from './support/reply-collector.js';

/** Polls `check` until it returns something other than undefined (tests wait on conditions). */

describe('example participant processes in one consumer group (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const infra = useInfra('participant-group');
  const harness = kafkaParticipants(infra);
  const processes = useParticipantProcesses();

  it('two instances share the partitions; killing one (SIGKILL) loses no command', async () => {
    await harness.createTopics(['inventory'], 4);
    const keyPrefix = infra.key('shop');
    await seedInventory(infra.redis, { keyPrefix, stock: { 'SKU-1': 100_000, 'SKU-2': 100_000 } });
    const replies = await collectReplies(infra, infra.topic('replies'));
    const env = {
      KAFKA_BROKERS: infraEndpoints().brokers.join(','),
      REDIS_URL: infraEndpoints().redisUrl,
      SAGA_TOPIC_PREFIX: infra.prefix,
      PARTICIPANT_KEY_PREFIX: keyPrefix,
      LOG_LEVEL: 'error',
      // A crashed instance's claims lapse quickly, and the group notices it quickly.
      PARTICIPANT_CLAIM_LEASE: '2s',
      KAFKA_SESSION_TIMEOUT: String(TEST_CONSUMER_TIMINGS.sessionTimeout),
      KAFKA_HEARTBEAT_INTERVAL: String(TEST_CONSUMER_TIMINGS.heartbeatInterval),
      KAFKA_MAX_WAIT: String(TEST_CONSUMER_TIMINGS.maxWaitTimeInMs),
    };
    const [doomed, survivor] = [0, 1].map(() => spawnParticipant('inventory', env)) as [
      ParticipantProcess,
      ParticipantProcess,
    ];
    processes.push(doomed, survivor);
    const [ready] = await Promise.all([doomed.ready, survivor.ready]);
    expect(ready.groupId).to.equal(`${infra.prefix}.inventory`);

    // Both members hold partitions of the command topic, all four between them.
    const shares = await eventually('both instances to hold partitions', async () => {
      const { groups } = await infra.admin.describeGroups([ready.groupId]);
      const group = groups[0];
      if (!group || group.state !== 'Stable' || group.members.length !== 2) return undefined;
      const counts = group.members.map((member) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return decoded?.assignment[ready.topic]?.length ?? 0;
      });
      return counts.every((n) => n > 0) && counts[0]! + counts[1]! === 4 ? counts : undefined;
    });
    expect(shares).to.have.length(2);

    const command = (i: number) =>
      orderCommand(
        'ReserveItems',
        { orderId: `o-${i}`, items: [{ sku: i % 2 ? 'SKU-1' : 'SKU-2', quantity: 1 + (i % 3) }] },
        { sagaId: `saga-${i}`, replyTopic: infra.topic('replies') },
      );
    const first = Array.from({ length: 150 }, (_, i) => command(i));
    const second = Array.from({ length: 150 }, (_, i) => command(150 + i));
    await harness.sendCommands('inventory', first);
    await replies.waitForCount(30);
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).to.equal('SIGKILL');
    await harness.sendCommands('inventory', second);

    const all = [...first, ...second];
    for (const c of all) await replies.waitForReply(c.commandId, 1, 120_000);
    expect(replies.invalid).to.deep.equal([]);
    for (const [i, c] of all.entries()) {
      // Every delivery of a command, re-deliveries after the kill included, gave one reply.
      const answers = replies.repliesTo(c.commandId).map((r) => JSON.stringify(r.reply));
      expect(new Set(answers).size, `replies to ${c.commandId}`).to.equal(1);
      expect(replies.repliesTo(c.commandId)[0]?.reply).to.deep.include({
        outcome: 'success',
        payload: { reservationId: `rsv-o-${i}` },
      });
    }
    // Each reservation happened once.
    const state = await readInventory(infra.redis, { keyPrefix });
    expect(state.stats.reservations).to.equal(300);
    expect(Object.keys(state.reservations)).to.have.length(300);
    expect(await checkInventoryInvariants(infra.redis, { keyPrefix })).to.deep.equal([]);

    // The survivor stops gracefully on SIGTERM.
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited, survivor.stderr()).to.equal(0);
  });
});
