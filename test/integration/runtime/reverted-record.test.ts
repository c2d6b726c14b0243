/**
 * Issue 12 item 1, on real Kafka and Redis: Redis with `appendfsync everysec` can lose its last
 * second, and a saga whose step was lost goes back to waiting for a command that its participant
 * already handled. When its deadline passes, the saga must ask the SAME command again (same
 * command id), so the participant's ledger answers with the recorded reply instead of acting a
 * second time.
 *
 * The order of events is forced, not raced:
 * 1. the saga starts while its participant is not running: the command waits on its topic;
 * 2. once the relay published it (outbox empty, command pending), the saga's shard is copied
 *    (`DUMP` of every key of the shard but its owner epoch) — the state a lost fsync goes back to;
 * 3. the participant (the SDK with its Redis ledger) starts, handles the command once, replies;
 *    the saga completes;
 * 4. the shard is put back (`RESTORE … REPLACE`, keys written since deleted): the saga is running
 *    again, its command pending, its deadline armed, and the participant's work stays done;
 * 5. the deadline is made due now (its timer's score; a 60 s deadline never fires by itself here).
 * The saga retries: attempt 2 re-sends command id `<saga>.credit.1`, the ledger answers it with the
 * recorded reply, and the saga completes as it had — the handler ran once.
 */
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { createSagaKit, defineSaga, type SagaRecord } from '../../../orchestrator/engine/index.js';
import { timerMember, type StoreKeys } from '../../../orchestrator/store/index.js';
import {
  defineParticipant,
  startParticipant,
  silentLogger,
} from '../../../participants/sdk/index.js';
import { eventually } from '../../support/eventually.js';
import { useSystem } from '../../support/system.js';
import { kafkaParticipants } from '../participants/support/kafka-participants.js';

interface CreditInput {
  accountId: string;
}

/** Long enough never to pass by itself during the test: step 5 makes it due. */
const CREDIT_DEADLINE_MS = 60_000;

const kit = createSagaKit<CreditInput>();
const creditSaga = defineSaga<CreditInput>({
  type: 'credit',
  version: '1',
  input: {
    schema: {
      type: 'object',
      required: ['accountId'],
      properties: { accountId: { type: 'string' } },
    },
  },
  machine: kit.setup.createMachine({
    id: 'credit',
    context: kit.initialContext,
    initial: 'credit',
    on: kit.signals,
    states: {
      credit: {
        ...kit.step({
          name: 'credit',
          participant: 'ledger',
          command: 'Credit',
          timeoutMs: CREDIT_DEADLINE_MS,
          retry: { maxAttempts: 3, backoff: { initialDelayMs: 50, jitter: 0 } },
          payload: ({ input }) => ({ accountId: input.accountId }),
          noCompensation: { reason: 'a test step' },
        }),
        onDone: 'completed',
      },
      ...kit.endStates,
    },
  }),
});

/** Every key of one shard, as `DUMP` gives them, but its owner epoch (the running owner's fence). */
async function dumpShard(redis: Redis, keys: StoreKeys, shard: number) {
  const dumped = new Map<string, { value: Buffer; pttl: number }>();
  for (const key of await shardKeys(redis, keys, shard)) {
    const [value, pttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
    if (value) dumped.set(key, { value, pttl: pttl > 0 ? pttl : 0 });
  }
  return dumped;
}

/** The shard as it was dumped: keys written since are deleted, the others restored. */
async function revertShard(
  redis: Redis,
  keys: StoreKeys,
  shard: number,
  dumped: Awaited<ReturnType<typeof dumpShard>>,
) {
  const multi = redis.multi();
  for (const key of await shardKeys(redis, keys, shard)) {
    if (!dumped.has(key)) multi.del(key);
  }
  for (const [key, { value, pttl }] of dumped) multi.restore(key, pttl, value, 'REPLACE');
  await multi.exec();
}

async function shardKeys(redis: Redis, keys: StoreKeys, shard: number): Promise<string[]> {
  const found: string[] = [];
  const pattern = `${keys.shardBase(shard).replace(/[*?[\]\\{}]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  // The owner epoch is the running instance's fence, not saga state: not reverted with the rest.
  return found.filter((key) => key !== keys.ownerEpoch(shard));
}

/** The credit step's result, as the saga's context keeps it. */
const creditResult = (record: SagaRecord): unknown =>
  (record.snapshot.context as { steps?: { credit?: { result?: unknown } } }).steps?.credit?.result;

describe('a saga whose record Redis reverted re-sends the same command id: the participant acts once (real Kafka and Redis)', function () {
  this.timeout(120_000);
  const sut = useSystem('reverted-record', { definitions: [creditSaga], participants: false });
  const participants = kafkaParticipants(sut.infra);

  it('the retry after the deadline is answered from the ledger; the saga ends as it had', async () => {
    const { orchestrator } = sut.system;
    const { store } = orchestrator;
    const { redis } = sut.infra;
    const executions: string[] = [];
    const ledgerParticipant = defineParticipant({
      name: 'ledger',
      handlers: {
        Credit: {
          handle: async (payload: { accountId: string }, ctx) => {
            executions.push(ctx.command.commandId);
            return { creditId: `credit-${executions.length}`, accountId: payload.accountId };
          },
        },
      },
    });

    // 1. The saga starts; nobody consumes its command yet.
    const started = await orchestrator.startSaga({ type: 'credit', input: { accountId: 'acc-1' } });
    if (started.status !== 'started') throw new Error(`not started: ${started.status}`);
    const sagaId = started.record.id;
    const commandId = `${sagaId}.credit.1`;
    const shard = store.keys.shardOf(sagaId);

    // 2. Published (its outbox entry acked) and pending: the state a lost second goes back to.
    await eventually('the command to be published', async () => {
      const [record, backlog] = await Promise.all([
        store.load(sagaId),
        redis.xlen(store.keys.outbox(shard)),
      ]);
      return backlog === 0 && record?.pending[0]?.commandId === commandId ? true : undefined;
    });
    const beforeReply = await store.load(sagaId);
    const deadline = beforeReply?.timers.find((t) => t.timerId.includes('stepTimeout.credit'));
    if (!beforeReply || !deadline) throw new Error('no pending record with an armed deadline');
    const snapshot = await dumpShard(redis, store.keys, shard);

    // 3. The participant handles the command once and replies; the saga completes.
    participants.track(
      await startParticipant(ledgerParticipant, {
        transport: participants.transport(),
        redis,
        topicPrefix: sut.infra.prefix,
        ledgerKeyPrefix: sut.infra.key('ledger'),
        logger: silentLogger,
      }),
    );
    const completed = await eventually('the saga to complete', async () => {
      const record = await store.load(sagaId);
      return record?.status === 'completed' ? record : undefined;
    });
    expect(executions).to.deep.equal([commandId]);

    // 4. Redis loses the step: the saga waits again for the command the participant handled.
    await revertShard(redis, store.keys, shard, snapshot);
    const reverted = await store.load(sagaId);
    expect(reverted).to.deep.include({ status: 'running', revision: beforeReply.revision });
    expect(reverted?.pending.map((p) => p.commandId)).to.deep.equal([commandId]);

    // 5. Its deadline passes (made due now rather than waited for).
    const member = timerMember(sagaId, deadline.timerId);
    expect(await redis.zadd(store.keys.timers(shard), 'XX', 'CH', Date.now(), member)).to.equal(1);

    const again = await eventually('the saga to complete again', async () => {
      const record = await store.load(sagaId);
      return record?.status === 'completed' && record.revision > beforeReply.revision
        ? record
        : undefined;
    });
    // The retry was attempt 2 of the same command, and the ledger answered it: one execution.
    const history = await store.history(sagaId);
    const sent = history.entries
      .filter((e) => e.kind === 'command')
      .map((e) => [e.commandId, /\(attempt (\d+)\)$/u.exec(e.summary)?.[1]]);
    expect(sent).to.deep.equal([
      [commandId, '1'],
      [commandId, '2'],
    ]);
    expect(executions).to.deep.equal([commandId]);
    // The same business outcome as without the revert: the reply of the one execution.
    expect(again.state).to.equal(completed.state);
    expect(creditResult(again)).to.deep.equal({ creditId: 'credit-1', accountId: 'acc-1' });
    expect(creditResult(again)).to.deep.equal(creditResult(completed));
  });
});
