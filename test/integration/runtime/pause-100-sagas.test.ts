/**
 * Issue 14's acceptance test: "Pausing 100 running sagas and resuming them: every one completes
 * as it would have, none sent a command while paused (checked on the command topics)".
 *
 * Forced: 120 orders start while inventory does not consume, so every one waits on its first
 * step. 100 are paused (20 stay as the control group); then inventory answers, so a reply
 * reaches every paused saga and would, unpaused, send its next command at once. The command
 * topics are read from the start by a consumer of their own; the high watermarks taken right
 * after a batch of pauses answered, and before the resumes, bound the records each paused saga
 * must not have produced.
 */
import { expect } from 'chai';
import type { SagaView } from '../../../orchestrator/api/index.js';
import type { RunningParticipant } from '../../../participants/sdk/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import type { CommandMessage } from '../../../wire/contract/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { groupJoined, TEST_CONSUMER_TIMINGS } from '../../support/infra.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

const PAUSED = 100;
const CONTROL = 20;
const PAUSE_BATCH = 10;
const PARTICIPANTS = ['inventory', 'payment', 'shipping'];

interface SeenCommand {
  topic: string;
  partition: number;
  offset: number;
  sagaId: string;
  commandId: string;
  type: string;
}

/** Per topic and partition, the offset the next record will get. */
type Marks = Map<string, number>;
const markKey = (topic: string, partition: number) => `${topic}/${partition}`;

async function inChunks<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>) {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  }
  return results;
}

describe('pause: 100 running sagas paused and resumed (issue 14 acceptance, real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('pause-100', {
    api: true,
    // Deadlines far longer than the test: only the pause can hold a saga up.
    definitions: [createOrderSaga({ ...TEST_ORDER_TIMINGS, stepTimeoutMs: 60_000 })],
  });
  const api = () => apiClient(sut.system.apiUrl);
  let inventoryAgain: RunningParticipant | undefined;

  after(async () => {
    await inventoryAgain?.stop();
  });

  it('completes every paused saga as its control group does, with no command sent while paused', async () => {
    const topics = PARTICIPANTS.map((p) => sut.system.orchestrator.topics.commands(p));
    const seen: SeenCommand[] = [];
    const consumer = await sut.infra.consumer({ ...TEST_CONSUMER_TIMINGS });
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = groupJoined(consumer);
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const command = JSON.parse(String(message.value)) as CommandMessage;
        seen.push({
          topic,
          partition,
          offset: Number(message.offset),
          sagaId: command.sagaId,
          commandId: command.commandId,
          type: command.type,
        });
      },
    });
    await joined;
    const marks = async (): Promise<Marks> => {
      const result: Marks = new Map();
      for (const topic of topics) {
        for (const { partition, high } of await sut.infra.admin.fetchTopicOffsets(topic)) {
          result.set(markKey(topic, partition), Number(high));
        }
      }
      return result;
    };

    await sut.system.participants?.inventory.stop();
    const started = await inChunks(
      Array.from({ length: PAUSED + CONTROL }, () => orderInput()),
      20,
      async (input) => (await api().post<SagaView>('/v1/sagas', { type: 'order', input })).body,
    );
    const ids = started.map((saga) => saga.id);
    const paused = new Set(ids.slice(0, PAUSED));
    const control = ids.slice(PAUSED);
    // Every first command is on its topic before any pause: the replies held later are theirs.
    await eventually('every ReserveItems command to be on the topic', () =>
      new Set(seen.filter((c) => c.type === 'ReserveItems').map((c) => c.sagaId)).size ===
      ids.length
        ? true
        : undefined,
    );

    /** For each paused saga, the watermarks taken once its pause had answered. */
    const pausedFrom = new Map<string, Marks>();
    for (let i = 0; i < PAUSED; i += PAUSE_BATCH) {
      const batch = [...paused].slice(i, i + PAUSE_BATCH);
      const answers = await Promise.all(
        batch.map((id) =>
          api().post<SagaView>(`/v1/sagas/${id}/pause`, undefined, {
            headers: { 'Saga-Actor': 'acceptance-test' },
          }),
        ),
      );
      expect(answers.map((a) => a.status)).to.deep.equal(batch.map(() => 200));
      const after = await marks();
      for (const id of batch) pausedFrom.set(id, after);
    }

    // Inventory answers every saga: each paused one records the reply and sends nothing.
    inventoryAgain = await sut.system.startParticipantAgain('inventory');
    await eventually(
      'every paused saga to hold its reply',
      async () => {
        const views = await inChunks([...paused], 25, async (id) => {
          return (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
        });
        const holding = views.filter((v) =>
          v.history.some((h) => h.summary.startsWith('reply held: paused')),
        );
        return holding.length === PAUSED ? views : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // The control group goes on meanwhile: proof that a reply would have moved them.
    const controlDone = await inChunks(control, 10, async (id) => {
      return (await api().get<{ saga: SagaView }>(`/v1/sagas/${id}/result?timeoutMs=60000`)).body
        .saga;
    });
    const beforeResume = await marks();

    const resumed = await inChunks([...paused], 20, (id) =>
      api().post<SagaView>(`/v1/sagas/${id}/resume`),
    );
    expect(resumed.every((r) => r.status === 200 && r.body.paused === undefined)).to.equal(true);
    const pausedDone = await inChunks([...paused], 20, async (id) => {
      return (await api().get<{ saga: SagaView }>(`/v1/sagas/${id}/result?timeoutMs=60000`)).body
        .saga;
    });

    // Every one completes as its unpaused control group did.
    const statuses = (sagas: SagaView[]) => [...new Set(sagas.map((s) => s.status))];
    expect(statuses(controlDone)).to.deep.equal(['completed']);
    expect(statuses(pausedDone)).to.deep.equal(statuses(controlDone));

    // The consumer has read every command up to the end of the run.
    const end = await marks();
    const read = (key: string, high: number) =>
      high === 0 ||
      seen.some((c) => markKey(c.topic, c.partition) === key && c.offset === high - 1);
    await eventually('the consumer to read every command', () =>
      [...end].every(([key, high]) => read(key, high)) ? true : undefined,
    );
    await consumer.stop();

    // None sent a command between its pause's answer and its resume.
    const sentWhilePaused = seen.filter((c) => {
      const from = pausedFrom.get(c.sagaId)?.get(markKey(c.topic, c.partition));
      const until = beforeResume.get(markKey(c.topic, c.partition));
      return from !== undefined && until !== undefined && c.offset >= from && c.offset < until;
    });
    expect(sentWhilePaused).to.deep.equal([]);
    // …and each went on after its resume: its later commands are all past the resume's mark.
    const afterResume = seen.filter((c) => paused.has(c.sagaId) && c.type !== 'ReserveItems');
    expect(new Set(afterResume.map((c) => c.sagaId)).size).to.equal(PAUSED);
    for (const c of afterResume) {
      expect(c.offset).to.be.at.least(beforeResume.get(markKey(c.topic, c.partition)) ?? 0);
    }
    // Each command once on the topics, and each command's effect once at the participants.
    const commandIds = seen.filter((c) => paused.has(c.sagaId)).map((c) => c.commandId);
    expect(new Set(commandIds).size).to.equal(commandIds.length);
    expect(await sut.system.invariantViolations()).to.deep.equal([]);
  });
});
