/**
 * Issue 15: v1 and v2 of the order saga side by side on real Kafka and Redis, and an operator
 * moving the waiting v1 sagas to v2 (POST /v1/definitions/order/migrations): a dry run lists who
 * would move and who cannot (and why), the apply moves them atomically with a history line, the
 * moved sagas then finish on v2 with the participants answering, and a v1 saga that could not
 * move (its command in flight) still finishes on v1.
 */
import { expect } from 'chai';
import type { ApiErrorBody, SagaView } from '../../../orchestrator/api/index.js';
import { createOrchestrator } from '../../../orchestrator/runtime/index.js';
import { silentLogger } from '../../../wire/telemetry/index.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { apiClient, eventually } from '../../support/api-client.js';
import { createOrderSagaV2 } from '../../support/order-saga-v2.js';
import type { MigrationResult } from '../../../cli/api-client.js';
import { orderInput } from '../../support/orders.js';
import { TEST_ORDER_TIMINGS, useSystem } from '../../support/system.js';

interface SagaResult {
  done: boolean;
  saga: SagaView;
}

// Step deadlines far off (nothing here waits for one), so a saga whose command sits with a
// stopped participant stays in its step; compensations give up fast, so a saga parks in seconds.
const timings = {
  ...TEST_ORDER_TIMINGS,
  stepTimeoutMs: 120_000,
  compensation: { timeoutMs: 2_500, maxAttempts: 2, backoff: { initialDelayMs: 100 } },
};

describe('HTTP API: migrating waiting sagas from v1 to v2 (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const sut = useSystem('api-migrate', {
    api: true,
    definitions: [createOrderSaga(timings), createOrderSagaV2(timings)],
    // v2 is deployed beside v1; new sagas still start on v1 until the operator says otherwise.
    startVersions: { order: '1' },
  });
  const api = () => apiClient(sut.system.apiUrl);
  const audit = { headers: { 'Saga-Actor': 'alice', 'Saga-Reason': 'review%20flow' } };

  async function startOrder(amount: number): Promise<string> {
    const started = await api().post<SagaView>('/v1/sagas', {
      type: 'order',
      input: orderInput({ amount }),
    });
    expect(started.status).to.equal(201);
    expect(started.body.version).to.equal('1');
    return started.body.id;
  }

  async function inState(id: string, state: string): Promise<SagaView> {
    return eventually(`saga ${id} to reach ${state}`, async () => {
      const saga = (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
      return saga.state === state ? saga : undefined;
    });
  }

  const result = async (id: string) =>
    (await api().get<SagaResult>(`/v1/sagas/${id}/result?timeoutMs=60000`)).body.saga;

  it('lists, moves and finishes v1 sagas waiting for approval or parked; one in a step stays on v1', async () => {
    // Two large orders wait for approval; a third parks (inventory away while it is rejected).
    const approve = await startOrder(30_000);
    const reject = await startOrder(30_000);
    const parked = await startOrder(30_000);
    for (const id of [approve, reject, parked]) await inState(id, 'awaitingApproval');
    await sut.system.participants?.inventory.stop();
    await api().post(`/v1/sagas/${parked}/events`, { type: 'order.reject' });
    expect(await result(parked)).to.include({ status: 'parked', state: 'parked' });
    await sut.system.startParticipantAgain('inventory');
    // A small order whose confirmation sits with shipping, which is away: its command is in flight.
    await sut.system.participants?.shipping.stop();
    const inStep = await startOrder(100);
    await inState(inStep, 'confirmOrder.attempting');

    const refused = await api().post<ApiErrorBody>('/v1/definitions/order/migrations', {
      from: '2',
      to: '1',
    });
    expect(refused.status).to.equal(404);
    expect(refused.body.error).to.deep.include({
      code: 'DEFINITION_NOT_FOUND',
      message: 'order version 1 declares no migration from version 2 (versions: 1, 2)',
    });

    const dryRun = await api().post<MigrationResult>(
      '/v1/definitions/order/migrations',
      { from: '1', to: '2', dryRun: true },
      audit,
    );
    expect(dryRun.status).to.equal(200);
    expect(dryRun.body).to.deep.include({
      type: 'order',
      from: '1',
      to: '2',
      dryRun: true,
      moved: [],
    });
    expect([...dryRun.body.wouldMove].sort()).to.deep.equal([approve, reject, parked].sort());
    expect(dryRun.body.cannot).to.deep.equal([
      {
        id: inStep,
        state: 'confirmOrder.attempting',
        reason: 'a command is in flight (confirmOrder: ConfirmOrder); it can move once it waits',
      },
    ]);
    // Nothing moved.
    for (const id of [approve, reject, parked]) {
      expect((await api().get<SagaView>(`/v1/sagas/${id}`)).body.version).to.equal('1');
    }

    // Only the parked state first, then the rest.
    const parkedOnly = await api().post<MigrationResult>(
      '/v1/definitions/order/migrations',
      { from: '1', to: '2', state: 'parked' },
      audit,
    );
    expect(parkedOnly.body).to.deep.include({
      dryRun: false,
      moved: [parked],
      cannot: [],
      wouldMove: [],
    });
    const applied = await api().post<MigrationResult>(
      '/v1/definitions/order/migrations',
      { from: '1', to: '2' },
      audit,
    );
    expect([...applied.body.moved].sort()).to.deep.equal([approve, reject].sort());
    expect(applied.body.cannot.map((c) => c.id)).to.deep.equal([inStep]);

    for (const id of [approve, reject]) {
      const saga = (await api().get<SagaView>(`/v1/sagas/${id}`)).body;
      expect(saga).to.deep.include({ version: '2', state: 'awaitingReview', status: 'running' });
      const line = saga.history.at(-1);
      expect(line).to.deep.include({
        kind: 'operator',
        summary:
          'migrated from order v1 (awaitingApproval) to v2 (awaitingReview) by alice: review flow',
      });
    }
    // The approval deadline moved in the store's timer set under v2's id, due when it was.
    const { store } = sut.system.orchestrator;
    const timersKey = store.keys.timers(store.shardOf(approve));
    const members = await sut.infra.redis.zrange(timersKey, '0', '-1');
    const mine = await Promise.all(
      members
        .filter((member) => member.startsWith(`${approve}\0`))
        .map(async (member) => [
          member.split('\0')[1],
          Number(await sut.infra.redis.zscore(timersKey, member)),
        ]),
    );
    const dueAt = (await store.load(approve))?.timers[0]?.dueAt;
    expect(mine).to.deep.equal([
      ['xstate.after.order.approvalTimeout.order.awaitingReview', dueAt],
    ]);
    const parkedNow = (await api().get<SagaView>(`/v1/sagas/${parked}`)).body;
    expect(parkedNow).to.deep.include({ version: '2', state: 'parked', status: 'parked' });
    expect(parkedNow.history.at(-1)?.summary).to.equal(
      'migrated from order v1 (parked) to v2 (parked) by alice: review flow',
    );
    // A second apply finds nothing left to move but the saga in its step.
    const again = await api().post<MigrationResult>('/v1/definitions/order/migrations', {
      from: '1',
      to: '2',
    });
    expect(again.body.moved).to.deep.equal([]);

    // Shipping is back: everything finishes, the moved sagas on v2, the one in its step on v1.
    await sut.system.startParticipantAgain('shipping');
    await api().post(`/v1/sagas/${approve}/events`, { type: 'order.approve' });
    await api().post(`/v1/sagas/${reject}/events`, { type: 'order.reject' });
    await api().post(`/v1/sagas/${parked}/retry`);
    expect(await result(approve)).to.deep.include({ status: 'completed', version: '2' });
    expect(await result(reject)).to.deep.include({ status: 'compensated', version: '2' });
    expect(await result(parked)).to.deep.include({ status: 'compensated', version: '2' });
    const stayed = await result(inStep);
    expect(stayed).to.deep.include({ status: 'completed', version: '1' });
    expect(stayed.history.some((line) => line.kind === 'operator')).to.equal(false);
    expect(await sut.system.invariantViolations()).to.deep.equal([]);
  });

  it('does not clobber a saga that another writer moved on after this instance last saw it', async () => {
    const id = await startOrder(30_000);
    await inState(id, 'awaitingApproval');
    // This instance wrote the saga last (the payment reply), so it keeps that record in memory.
    // Another writer (a second instance on the same store, not started) approves it: the kept
    // record is stale, and a migration computed from it must lose the compare-and-set on the
    // revision, not overwrite the approval with a v2 saga in awaitingReview.
    const other = createOrchestrator({
      definitions: [createOrderSaga(timings), createOrderSagaV2(timings)],
      redis: sut.infra.redis,
      kafka: sut.infra.kafka,
      topicPrefix: sut.infra.prefix,
      store: { keyPrefix: sut.infra.prefix, shards: 4 },
      logger: silentLogger,
    });
    const approved = await other.signal(id, { type: 'order.approve' });
    expect(approved.status).to.equal('applied');

    const report = await sut.system.orchestrator.migrateSagas({
      type: 'order',
      from: '1',
      to: '2',
    });
    if (report.status !== 'done') throw new Error(report.message);
    expect(report.moved).to.not.include(id);
    const refused = report.cannot.find((c) => c.id === id);
    expect(refused?.reason).to.match(/^a command is in flight \(confirmOrder: ConfirmOrder\)/);
    const saga = await result(id);
    expect(saga).to.deep.include({ status: 'completed', version: '1' });
    expect(saga.history.some((line) => line.kind === 'operator')).to.equal(false);
  });

  it('serves each version of the type: the start version by default, any with ?version', async () => {
    const list = await api().get<{
      items: { type: string; version: string; versions?: string[] }[];
    }>('/v1/definitions');
    expect(
      list.body.items.map(({ type, version, versions }) => ({ type, version, versions })),
    ).to.deep.equal([{ type: 'order', version: '1', versions: ['1', '2'] }]);
    const byDefault = await api().get<{ version: string }>('/v1/definitions/order');
    expect(byDefault.body.version).to.equal('1');
    const two = await api().get<{ version: string; definition: { states: object } }>(
      '/v1/definitions/order?version=2',
    );
    expect(two.body.version).to.equal('2');
    expect(two.body.definition.states).to.have.property('awaitingReview');
    const none = await api().get<ApiErrorBody>('/v1/definitions/order?version=9');
    expect(none.status).to.equal(404);
    expect(none.body.error).to.deep.include({
      code: 'DEFINITION_NOT_FOUND',
      message: 'no version 9 of saga type "order"',
      details: { versions: ['1', '2'] },
    });
  });

  it('answers 404 for a saga type it does not run', async () => {
    const missing = await api().post<ApiErrorBody>('/v1/definitions/refund/migrations', {
      from: '1',
      to: '2',
    });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.message).to.equal('no saga definition of type "refund"');
  });
});

describe('migrating a saga backing off between attempts (real Kafka and Redis)', function () {
  this.timeout(240_000);
  const ignoredTimers: string[] = [];
  // Shipping always fails transiently: confirming backs off 5 s before its second (last) attempt,
  // a window wide enough to move the saga while its backoff timer is armed in Redis.
  const backoffTimings = {
    ...timings,
    retry: { maxAttempts: 2, backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000, jitter: 0 } },
  };
  const sut = useSystem('api-migrate-backoff', {
    definitions: [createOrderSaga(backoffTimings), createOrderSagaV2(backoffTimings)],
    startVersions: { order: '1' },
    shipping: { failureRate: 1 },
    hooks: {
      eventIgnored: ({ sagaId, event, reason }) => {
        if (event.kind === 'timer') ignoredTimers.push(`${sagaId} ${reason}`);
      },
    },
  });

  it('carries the backoff timer to v2; it fires there, once, and v2 sends the next attempt', async () => {
    const { orchestrator } = sut.system;
    const started = await orchestrator.startSaga({ type: 'order', input: { ...orderInput() } });
    if (started.status !== 'started') throw new Error(started.status);
    const id = started.record.id;
    const waiting = await eventually(`saga ${id} to back off before confirming again`, async () => {
      const record = await orchestrator.store.load(id);
      return record?.state === 'confirmOrder.retrying' ? record : undefined;
    });
    expect(waiting.timers.map((t) => t.timerId)).to.deep.equal([
      'xstate.after.saga.retryBackoff.order.confirmOrder.retrying',
    ]);

    const report = await orchestrator.migrateSagas(
      { type: 'order', from: '1', to: '2', state: 'confirmOrder.retrying' },
      { actor: 'carol', role: 'operator' },
    );
    if (report.status !== 'done') throw new Error(report.message);
    expect(report).to.deep.include({ moved: [id], cannot: [] });

    const done = await orchestrator.waitForResult(id, 60_000);
    expect(done).to.deep.include({ status: 'compensated', definitionVersion: '2' });
    const history = (await orchestrator.store.history(id, { limit: 200 })).entries;
    const moved = history.findIndex((line) => line.kind === 'operator');
    expect(history[moved]?.summary).to.equal(
      'migrated from order v1 (confirmOrder.retrying) to v2 (confirmOrder.retrying) by carol',
    );
    // After the move: the carried timer fired on v2 and v2 sent the second attempt.
    const after = history.slice(moved + 1).map((line) => line.summary);
    expect(after).to.include(
      'timer fired: xstate.after.saga.retryBackoff.order.confirmOrder.retrying',
    );
    expect(after.some((line) => /ConfirmOrder → shipping \(attempt 2\)/.test(line))).to.equal(true);
    // The old timer id left the store's timer set with the move: it never fired.
    expect(ignoredTimers.filter((line) => line.startsWith(id))).to.deep.equal([]);
    expect(await sut.system.invariantViolations()).to.deep.equal([]);
  });
});
