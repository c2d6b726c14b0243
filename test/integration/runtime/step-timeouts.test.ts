/**
 * Deadlines, retries and late replies through the whole system on real Kafka and Redis: the
 * orchestrator in this process with the order saga on short deadlines, and the example
 * participants, shipping made slow or unreliable on purpose.
 *
 * - A shipping slower than both confirm deadlines: the step times out, is retried — the retry
 *   re-sends the same command (same command id, attempt 2), which shipping does not run a second
 *   time while the first is still running — times out again, and the saga compensates —
 *   CancelShipment, VoidAuthorization, ReleaseItems, in that order — and ends `compensated`. The
 *   one slow confirm still finishes inside shipping after the saga gave up on it, and is refused
 *   by the cancel's tombstone, so no shipment stays active. Late success replies (the participant
 *   SDK sends none once a command expired, so the test sends them, as a slow network would
 *   deliver them) change nothing after the saga ended.
 * - A shipping that fails transiently: a step whose first attempt fails retryably is retried and
 *   completes; one whose attempts all fail is undone, itself included (its outcome is unknown).
 */
import { expect } from 'chai';
import { HEADERS } from '../../../wire/contract/headers.js';
import type { HistoryEntry, SagaEvent, SagaRecord } from '../../../orchestrator/engine/types.js';
import {
  deterministicFraction,
  readInventory,
  readPayment,
  readShipping,
} from '../../../participants/examples/index.js';
import { createOrderSaga, type OrderSagaOptions } from '../../../sagas/order/index.js';
import { eventually } from '../../support/api-client.js';
import { orderInput } from '../../support/orders.js';
import { useSystem, type SystemHandle } from '../../support/system.js';

const SHORT_DEADLINES: OrderSagaOptions = {
  stepTimeoutMs: 1_500,
  retry: { maxAttempts: 2, backoff: { initialDelayMs: 100, maxDelayMs: 200, jitter: 0 } },
  compensation: { timeoutMs: 5_000, maxAttempts: 3, backoff: { initialDelayMs: 100 } },
};
/**
 * ConfirmOrder takes this long: past the first deadline and past the retry's (about 3.2 s in),
 * with room to spare, so the re-sent command always finds the first one still running.
 */
const SHIPPING_DELAY_MS = 5_000;

type Ignored = { sagaId: string; event: SagaEvent; reason: string };

const summaries = (entries: readonly HistoryEntry[]) => entries.map((e) => e.summary).join('\n');
const commandsOf = (entries: readonly HistoryEntry[], kind: 'action' | 'compensation') =>
  entries.filter((e) => e.kind === 'command' && e.data?.kind === kind);
const successes = (entries: readonly HistoryEntry[], step: string, compensation: boolean) =>
  entries.filter(
    (e) =>
      e.kind === 'reply' &&
      e.step === step &&
      e.data?.outcome === 'success' &&
      (e.commandId?.includes('.compensate.') ?? false) === compensation,
  ).length;

/** A reply as shipping would have sent it had it not given up at the deadline. */
async function sendLateSuccess(sut: SystemHandle, sagaId: string, attempt: number) {
  const producer = await sut.infra.producer({ idempotent: true });
  await producer.send({
    topic: `${sut.infra.prefix}.replies`,
    messages: [
      {
        key: sagaId,
        value: JSON.stringify({
          commandId: `${sagaId}.confirmOrder.${attempt}`,
          sagaId,
          type: 'ConfirmOrder',
          outcome: 'success',
          payload: { shipmentId: 'late', lateAttempt: attempt },
        }),
        headers: { [HEADERS.sagaId]: sagaId },
      },
    ],
  });
}

describe('step deadlines: a slow shipping is timed out, retried, compensated; late replies change nothing', function () {
  this.timeout(180_000);
  const ignored: Ignored[] = [];
  const sut = useSystem('step-timeouts', {
    definitions: [createOrderSaga(SHORT_DEADLINES)],
    shipping: { delayMs: SHIPPING_DELAY_MS },
    hooks: { eventIgnored: (event) => ignored.push(event) },
  });

  /** Resolves once the orchestrator consumed the late reply of `attempt` and ignored it. */
  const lateReplyIgnored = (sagaId: string, attempt: number) =>
    eventually(
      `the late reply of attempt ${attempt} to be consumed`,
      async () =>
        ignored.find(
          (i) =>
            i.sagaId === sagaId &&
            i.event.kind === 'reply' &&
            i.event.reply.payload?.lateAttempt === attempt,
        ),
      60_000,
      20,
    );

  it('compensates in reverse order, ends compensated, and stays so; no shipment survives', async () => {
    const { system } = sut;
    const input = orderInput();
    const started = await system.orchestrator.startSaga({ type: 'order', input: { ...input } });
    if (started.status !== 'started') throw new Error(started.status);
    const id = started.record.id;

    // The first confirm timed out and its retry is out: the same command, sent again.
    await eventually(
      'the retry of the confirm',
      async () => {
        const record = await system.orchestrator.store.load(id);
        const confirm = record?.pending.find((p) => p.step === 'confirmOrder');
        return confirm?.attempt === 2 ? confirm : undefined;
      },
      60_000,
      20,
    ).then((confirm) => expect(confirm.commandId).to.equal(`${id}.confirmOrder.1`));

    const ended = (await system.orchestrator.waitForResult(id, 60_000)) as SagaRecord;
    const { entries } = await system.orchestrator.store.history(id, { limit: 1_000 });
    const story = summaries(entries);
    expect(ended.status, story).to.equal('compensated');
    expect(ended.state).to.equal('compensated');
    expect(ended.pending).to.deep.equal([]);
    expect(ended.timers).to.deep.equal([]);

    // Both confirm attempts (one command, sent twice) ran out of time; neither succeeded.
    const confirms = commandsOf(entries, 'action').filter((e) => e.step === 'confirmOrder');
    expect(
      confirms.map((e) => [e.commandId, e.summary.endsWith('(attempt 2)')]),
      story,
    ).to.deep.equal([
      [`${id}.confirmOrder.1`, false],
      [`${id}.confirmOrder.1`, true],
    ]);
    const deadlines = entries.filter(
      (e) =>
        e.kind === 'timer' && e.step === 'confirmOrder' && !e.commandId?.includes('.compensate.'),
    );
    expect(
      deadlines.map((e) => e.commandId),
      story,
    ).to.deep.equal([`${id}.confirmOrder.1`, `${id}.confirmOrder.1`]);
    expect(successes(entries, 'confirmOrder', false), story).to.equal(0);
    expect(successes(entries, 'reserveInventory', false), story).to.equal(1);
    expect(successes(entries, 'authorizePayment', false), story).to.equal(1);

    // The compensations, last step first, each succeeding once.
    const compensations = commandsOf(entries, 'compensation');
    expect(
      [...new Set(compensations.map((e) => `${e.step}:${String(e.data?.command)}`))],
      story,
    ).to.deep.equal([
      'confirmOrder:CancelShipment',
      'authorizePayment:VoidAuthorization',
      'reserveInventory:ReleaseItems',
    ]);
    for (const step of ['confirmOrder', 'authorizePayment', 'reserveInventory']) {
      expect(successes(entries, step, true), `${step}\n${story}`).to.equal(1);
    }

    // A late success after the end changes nothing.
    await sendLateSuccess(sut, id, 1);
    expect((await lateReplyIgnored(id, 1)).reason).to.equal('saga-ended');
    const after = await system.orchestrator.store.load(id);
    expect(after?.revision, 'the revision after the end').to.equal(ended.revision);
    expect(after?.status).to.equal('compensated');
    expect((await system.orchestrator.store.history(id)).total).to.equal(entries.length);

    // Inside shipping the one slow confirm (run once, though sent twice) finishes in its own time,
    // after the cancel: its tombstone refuses it, so nothing was booked.
    const options = { keyPrefix: system.exampleKeyPrefix };
    const shipping = await eventually(
      'the slow confirm to finish',
      async () => {
        const state = await readShipping(system.redis, options);
        return (state.stats.confirmsRefused ?? 0) + (state.stats.shipments ?? 0) >= 1
          ? state
          : undefined;
      },
      60_000,
    );
    expect(shipping.stats.confirmsRefused, 'confirms run and refused').to.equal(1);
    expect(shipping.stats.shipments ?? 0, 'shipments booked').to.equal(0);
    expect(shipping.shipments, 'active shipments').to.deep.equal([]);
    expect(shipping.cancelled).to.deep.equal([input.orderId]);
    expect(shipping.log).to.deep.equal([]);

    const inventory = await readInventory(system.redis, options);
    expect(inventory.reservations).to.deep.equal({});
    expect(inventory.stats).to.deep.include({ reservations: 1, releases: 1 });
    const payment = await readPayment(system.redis, options);
    expect(payment.authorizations).to.deep.equal({});
    expect(payment.stats).to.deep.include({ authorizations: 1, voids: 1 });
    expect(await system.invariantViolations()).to.deep.equal([]);
  });
});

describe('step retries: a shipping that fails transiently (real Kafka and Redis)', function () {
  this.timeout(180_000);
  const FAILURE_RATE = 0.6;
  const SEED = 'step-retries';
  /** Shipping's own tries per delivery before it replies with a retryable failure. */
  const SDK_TRIES = 3;
  const sut = useSystem('step-retries', {
    definitions: [createOrderSaga({ ...SHORT_DEADLINES, stepTimeoutMs: 10_000 })],
    shipping: { failureRate: FAILURE_RATE, failureSeed: SEED },
  });

  /** Whether shipping fails every try of this confirm attempt (the failures are seeded). */
  const attemptFails = (sagaId: string, attempt: number) =>
    Array.from({ length: SDK_TRIES }, (_, i) => i + 1).every(
      (tryNumber) =>
        deterministicFraction(SEED, `${sagaId}.confirmOrder.${attempt}#${tryNumber}`) <
        FAILURE_RATE,
    );
  /** The first saga id of the form `<base>-<n>` whose two confirm attempts fail as asked. */
  const sagaIdWhere = (base: string, first: boolean, second: boolean) => {
    for (let n = 0; ; n++) {
      const id = `${base}-${n}`;
      if (attemptFails(id, 1) === first && attemptFails(id, 2) === second) return id;
    }
  };

  const run = async (sagaId: string) => {
    const started = await sut.system.orchestrator.startSaga({
      type: 'order',
      id: sagaId,
      input: { ...orderInput() },
    });
    expect(started.status).to.equal('started');
    const ended = (await sut.system.orchestrator.waitForResult(sagaId, 90_000)) as SagaRecord;
    const { entries } = await sut.system.orchestrator.store.history(sagaId, { limit: 1_000 });
    return { ended, entries, story: summaries(entries) };
  };

  it('retries a retryable failure, then completes', async () => {
    const { ended, entries, story } = await run(sagaIdWhere(sut.infra.prefix, true, false));
    expect(ended.status, story).to.equal('completed');
    const replies = entries.filter((e) => e.kind === 'reply' && e.step === 'confirmOrder');
    expect(
      replies.map((e) => [e.commandId?.split('.').pop(), e.data?.outcome]),
      story,
    ).to.deep.equal([
      ['1', 'failure'],
      ['2', 'success'],
    ]);
    expect(replies[0]?.summary).to.contain('CARRIER_UNAVAILABLE (retryable)');
    expect(commandsOf(entries, 'compensation')).to.deep.equal([]);
  });

  it('undoes the step itself too when every attempt failed (its outcome is unknown)', async () => {
    const { ended, entries, story } = await run(sagaIdWhere(sut.infra.prefix, true, true));
    expect(ended.status, story).to.equal('compensated');
    expect(
      commandsOf(entries, 'compensation').map((e) => e.data?.command),
      story,
    ).to.deep.equal(['CancelShipment', 'VoidAuthorization', 'ReleaseItems']);
    const shipping = await readShipping(sut.system.redis, {
      keyPrefix: sut.system.exampleKeyPrefix,
    });
    // The completed order of the test before ships; this one never booked, its cancel undid
    // nothing, and its tombstone stays.
    expect(shipping.stats.shipments).to.equal(1);
    expect(shipping.stats.cancellationsOfNothing).to.equal(1);
    expect(shipping.cancelled).to.have.length(1);
    expect(await sut.system.invariantViolations()).to.deep.equal([]);
  });
});
