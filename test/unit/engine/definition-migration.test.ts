import { expect } from 'chai';
import type { StateValue } from 'xstate';
import type { JsonObject } from '../../../wire/contract/index.js';
import {
  createEngine,
  defineMigration,
  defineSaga,
  migrateSaga,
  restoreSnapshot,
  stateString,
  type OperatorAudit,
  type SagaEngine,
  type SagaRecord,
  type StepResult,
} from '../../../orchestrator/engine/index.js';
import { simulateSaga, type SagaSimulation } from '../../../orchestrator/engine/testing/index.js';
import { compareVersions } from '../../../orchestrator/engine/registry.js';
import { createOrderSaga } from '../../../sagas/order/index.js';
import { createOrderSagaV2, orderMigrationV1ToV2 } from '../../support/order-saga-v2.js';
import { largeOrder, smallOrder } from '../sagas/order-fixtures.js';

const v1 = createOrderSaga();
const v2 = createOrderSagaV2();
const alice: OperatorAudit = { actor: 'alice', reason: 'new review flow', role: 'operator' };
/** v2 deployed, new sagas still held on v1: how the v1 sagas of these tests were started. */
const onV1 = createEngine([v1, v2], { startVersions: { order: '1' } });
const both = createEngine([v1, v2]);

function v1Saga(input = smallOrder, engine: SagaEngine = onV1): SagaSimulation {
  return simulateSaga(v1, input, { engine });
}

/** A v1 saga waiting for approval (a large order, both steps before it done). */
function waitingForApproval(): SagaSimulation {
  const sim = v1Saga(largeOrder);
  sim.succeed('reserveInventory', { reservationId: 'res-1' });
  sim.succeed('authorizePayment', { authorizationId: 'auth-1' });
  expect(sim.state).to.equal('awaitingApproval');
  return sim;
}

function migrated(result: StepResult): Extract<StepResult, { outcome: 'applied' }> {
  if (result.outcome !== 'applied') throw new Error(`not migrated: ${result.detail ?? ''}`);
  return result;
}

const migrate = (sim: SagaSimulation, engine: SagaEngine = both) =>
  engine.apply(sim.record, { kind: 'migrate', to: '2', audit: alice }, sim.now + 1_000);

describe('definition versions side by side', () => {
  it('starts new sagas on the newest version, numbers compared as numbers', () => {
    expect(both.definition('order')?.version).to.equal('2');
    expect(both.definitions().map((d) => `${d.type}@${d.version}`)).to.deep.equal(['order@2']);
    expect(both.versions('order').map((d) => d.version)).to.deep.equal(['1', '2']);
    expect(compareVersions('10', '9')).to.be.greaterThan(0);
    expect(compareVersions('1.2', '1.10')).to.be.lessThan(0);
  });

  it('starts them on a configured version instead, and refuses one not registered', () => {
    expect(onV1.definition('order')?.version).to.equal('1');
    expect(() => createEngine([v1, v2], { startVersions: { order: '3' } })).to.throw(
      /version 3, which is not registered \(registered: 1, 2\)/,
    );
    expect(() => createEngine([v1], { startVersions: { refund: '1' } })).to.throw(
      /unknown saga type refund/,
    );
  });

  it('keeps a v1 saga on v1 to its end while v2 is the start version', () => {
    const sim = v1Saga(smallOrder, both);
    // simulateSaga starts on the engine's start version: v2 here.
    expect(sim.record.definitionVersion).to.equal('2');
    const old = waitingForApproval();
    expect(old.record.definitionVersion).to.equal('1');
    const approved = both.apply(
      old.record,
      { kind: 'signal', event: { type: 'order.approve' } },
      old.now,
    );
    expect(approved.outcome).to.equal('applied');
    if (approved.outcome === 'applied') {
      expect(approved.record.definitionVersion).to.equal('1');
      expect(approved.record.state).to.equal('confirmOrder.attempting');
    }
    expect(both.definitionOf(old.record)).to.equal(v1);
  });
});

describe('migrating a saga from v1 to v2', () => {
  it('moves a saga waiting for approval: v2 state, deadline kept, one operator history line', () => {
    const sim = waitingForApproval();
    const [deadline] = sim.record.timers;
    expect(deadline?.timerId).to.equal('xstate.after.order.approvalTimeout.order.awaitingApproval');
    const step = migrated(migrate(sim));
    const { record } = step;
    expect(record).to.deep.include({
      definitionVersion: '2',
      state: 'awaitingReview',
      status: 'running',
      revision: sim.record.revision + 1,
      updatedAt: sim.now + 1_000,
    });
    expect(record.timers).to.deep.equal([
      {
        timerId: 'xstate.after.order.approvalTimeout.order.awaitingReview',
        dueAt: deadline?.dueAt,
        event: { type: 'xstate.after.order.approvalTimeout.order.awaitingReview' },
      },
    ]);
    expect(record.snapshot.context).to.deep.equal(sim.record.snapshot.context);
    expect(step.effects).to.deep.equal([]);
    expect(step.history).to.deep.equal([
      {
        at: sim.now + 1_000,
        kind: 'operator',
        summary:
          'migrated from order v1 (awaitingApproval) to v2 (awaitingReview) by alice: new review flow',
        from: 'awaitingApproval',
        to: 'awaitingReview',
        data: {
          action: 'migrate',
          actor: 'alice',
          role: 'operator',
          reason: 'new review flow',
          fromVersion: '1',
          toVersion: '2',
          fromState: 'awaitingApproval',
          toState: 'awaitingReview',
        },
      },
    ]);
    // A valid snapshot of v2's machine, restored with it.
    const restored = restoreSnapshot(
      v2.machine,
      JSON.parse(JSON.stringify(record.snapshot)) as JsonObject,
      record.id,
    );
    expect(stateString(restored.value as StateValue)).to.equal('awaitingReview');
  });

  it('the moved saga then runs on v2: approved, confirmed, completed', () => {
    const moved = migrated(migrate(waitingForApproval())).record;
    const approved = migrated(
      both.apply(moved, { kind: 'signal', event: { type: 'order.approve' } }, 1),
    );
    expect(approved.record.state).to.equal('confirmOrder.attempting');
    expect(approved.record.definitionVersion).to.equal('2');
    const [confirm] = approved.record.pending;
    if (!confirm) throw new Error('no confirm command');
    // The confirm payload still carries what the v1 steps returned (the context moved).
    const command = approved.effects.find((e) => e.type === 'command');
    expect(command).to.deep.include({ command: 'ConfirmOrder' });
    expect((command as { payload: { reservationId?: string } }).payload.reservationId).to.equal(
      'res-1',
    );
    const done = migrated(
      both.apply(
        approved.record,
        {
          kind: 'reply',
          reply: {
            commandId: confirm.commandId,
            sagaId: moved.id,
            type: 'ConfirmOrder',
            outcome: 'success',
          },
        },
        2,
      ),
    );
    expect(done.record.status).to.equal('completed');
  });

  it('its carried deadline fires on v2 and compensates', () => {
    const moved = migrated(migrate(waitingForApproval())).record;
    const [timer] = moved.timers;
    if (!timer) throw new Error('no timer');
    const fired = migrated(
      both.apply(moved, { kind: 'timer', timerId: timer.timerId, dueAt: timer.dueAt }, timer.dueAt),
    );
    expect(fired.record.state).to.match(/^compensating/);
    expect(fired.record.pending.map((c) => c.command)).to.deep.equal(['VoidAuthorization']);
  });

  it('moves a parked saga (still parked on v2, saga.retry resumes it there)', () => {
    const sim = v1Saga();
    sim.succeed('reserveInventory', { reservationId: 'res-1' });
    sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
    for (let attempt = 1; attempt <= 5; attempt++) {
      sim.failCompensation({ code: 'INVENTORY_DOWN', retryable: true });
      if (attempt < 5) sim.advanceToNextTimer();
    }
    expect(sim.status).to.equal('parked');
    const { record } = migrated(migrate(sim));
    expect(record).to.deep.include({ state: 'parked', status: 'parked', definitionVersion: '2' });
    const retried = migrated(
      both.apply(record, { kind: 'signal', event: { type: 'saga.retry' } }, 5),
    );
    expect(retried.record.pending.map((c) => c.command)).to.deep.equal(['ReleaseItems']);
  });

  it('moves a saga backing off between attempts; its backoff timer fires on v2 and sends the command', () => {
    const sim = v1Saga();
    sim.succeed('reserveInventory', { reservationId: 'res-1' });
    sim.fail('authorizePayment', { code: 'PAYMENT_BUSY', retryable: true });
    expect(sim.state).to.equal('authorizePayment.retrying');
    const { record } = migrated(migrate(sim));
    const [backoff] = record.timers;
    expect(backoff?.timerId).to.equal(
      'xstate.after.saga.retryBackoff.order.authorizePayment.retrying',
    );
    expect(backoff?.dueAt).to.equal(sim.record.timers[0]?.dueAt);
    const fired = migrated(
      both.apply(record, { kind: 'timer', timerId: backoff?.timerId ?? '' }, backoff?.dueAt ?? 0),
    );
    expect(fired.record.pending).to.have.length(1);
    expect(fired.record.pending[0]).to.include({ command: 'AuthorizePayment', attempt: 2 });
  });

  it('refuses a saga whose command is in flight, one paused, one ended, one on another version', () => {
    const inStep = v1Saga();
    expect(migrate(inStep)).to.deep.include({ outcome: 'ignored', reason: 'migration-refused' });
    expect(migrateSaga(v2, orderMigrationV1ToV2, inStep.record, alice, 1)).to.deep.include({
      outcome: 'refused',
      reason: 'command-in-flight',
    });
    const waiting = waitingForApproval();
    waiting.apply({ kind: 'pause', audit: alice });
    expect(migrateSaga(v2, orderMigrationV1ToV2, waiting.record, alice, 1)).to.deep.include({
      reason: 'saga-paused',
      detail: 'the saga is paused by alice',
    });
    const done = v1Saga();
    done.succeed('reserveInventory');
    done.succeed('authorizePayment');
    done.succeed('confirmOrder');
    expect(migrateSaga(v2, orderMigrationV1ToV2, done.record, alice, 1)).to.deep.include({
      reason: 'saga-ended',
    });
    const onTwo = migrated(migrate(waitingForApproval())).record;
    expect(migrateSaga(v2, orderMigrationV1ToV2, onTwo, alice, 1)).to.deep.include({
      reason: 'other-version',
    });
    expect(both.apply(onTwo, { kind: 'migrate', to: '2', audit: alice }, 1)).to.deep.include({
      detail: 'order version 2 declares no migration from version 2',
    });
  });

  it('moves a saga whose own version is no longer registered (only the target is needed)', () => {
    const onlyV2 = createEngine([v2]);
    const sim = waitingForApproval();
    expect(() =>
      onlyV2.apply(sim.record, { kind: 'signal', event: { type: 'order.approve' } }, 1),
    ).to.throw(/no saga definition order version 1/);
    const { record } = migrated(migrate(sim, onlyV2));
    expect(record).to.deep.include({ definitionVersion: '2', state: 'awaitingReview' });
  });

  it('refuses a state with no mapping, naming it', () => {
    const narrow = defineMigration({
      type: 'order',
      from: '1',
      to: '2',
      states: { parked: 'parked' },
    });
    const result = migrateSaga(v2, narrow, waitingForApproval().record, alice, 1);
    expect(result).to.deep.equal({
      outcome: 'refused',
      reason: 'state-not-mapped',
      detail: 'state awaitingApproval has no mapping to version 2',
    });
  });

  it('refuses targets that would lose a deadline, await a reply never sent, or are not leaves', () => {
    const record = waitingForApproval().record;
    const into = (target: string) =>
      migrateSaga(
        v2,
        defineMigration({
          type: 'order',
          from: '1',
          to: '2',
          states: { awaitingApproval: target },
        }),
        record,
        alice,
        1,
      );
    expect(into('parked')).to.deep.include({
      reason: 'timers-differ',
      detail:
        'timer xstate.after.order.approvalTimeout.order.awaitingApproval has no counterpart in parked',
    });
    expect(into('confirmOrder.attempting')).to.deep.include({ reason: 'awaits-reply' });
    expect(into('confirmOrder')).to.deep.include({
      reason: 'snapshot-invalid',
      detail: 'confirmOrder is not a leaf state (it resolves to confirmOrder.attempting)',
    });
    // A v2 state arming a deadline the saga does not have: it would never time out.
    const retrying = v1Saga();
    retrying.succeed('reserveInventory');
    retrying.fail('authorizePayment', { code: 'PAYMENT_BUSY', retryable: true });
    const noTimer = { ...retrying.record, timers: [] };
    expect(migrateSaga(v2, orderMigrationV1ToV2, noTimer, alice, 1)).to.deep.include({
      reason: 'timers-differ',
      detail:
        'authorizePayment.retrying arms "saga.retryBackoff" on entry and the saga has no such timer to carry over',
    });
  });

  it('runs the context function on a copy, and refuses when it throws', () => {
    const record = waitingForApproval().record;
    const before = JSON.stringify(record);
    const tagged = defineMigration({
      ...orderMigrationV1ToV2,
      context: (context) => {
        context.migratedFrom = '1';
        return context;
      },
    });
    const result = migrateSaga(v2, tagged, record, alice, 1);
    expect(result.outcome).to.equal('migrated');
    if (result.outcome === 'migrated') {
      expect(result.step.record.snapshot.context).to.deep.include({ migratedFrom: '1' });
    }
    expect(JSON.stringify(record)).to.equal(before);
    const throwing = defineMigration({
      ...orderMigrationV1ToV2,
      context: () => {
        throw new Error('no currency');
      },
    });
    expect(migrateSaga(v2, throwing, record, alice, 1)).to.deep.include({
      reason: 'snapshot-invalid',
      detail: "the migration's context function threw: no currency",
    });
  });
});

describe('defineMigration and defineSaga({ migrations })', () => {
  it('refuses an empty or self migration', () => {
    expect(() =>
      defineMigration({ type: 'order', from: '1', to: '1', states: { a: 'b' } }),
    ).to.throw(/same version/);
    expect(() => defineMigration({ type: 'order', from: '1', to: '2', states: {} })).to.throw(
      /maps no state/,
    );
  });

  it('refuses a migration into a state the new machine does not have, or for another version', () => {
    const options = { type: 'order', version: '2', machine: v2.machine, input: { schema: {} } };
    expect(() =>
      defineSaga({
        ...options,
        migrations: [
          defineMigration({ type: 'order', from: '1', to: '2', states: { a: 'awaitingApproval' } }),
        ],
      }),
    ).to.throw(/maps into "awaitingApproval", which is not a state/);
    expect(() =>
      defineSaga({ ...options, migrations: [orderMigrationV1ToV2], version: '3' }),
    ).to.throw(/the migration from 1 is for order 2/);
  });

  it('is a pure function of its inputs: the same saga and time give the same result', () => {
    const record: SagaRecord = waitingForApproval().record;
    expect(JSON.stringify(migrate({ record, now: 0 } as SagaSimulation))).to.equal(
      JSON.stringify(migrate({ record, now: 0 } as SagaSimulation)),
    );
  });
});
