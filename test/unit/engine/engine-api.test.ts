import { expect } from 'chai';
import { setup } from 'xstate';
import {
  SagaEngineError,
  commandIdFor,
  createSagaKit,
  createEngine,
  defineSaga,
  type SagaRecord,
} from '../../../orchestrator/engine/index.js';
import type { ReplyMessage } from '../../../wire/contract/index.js';
import { simulateSaga } from '../../../orchestrator/engine/testing/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { smallOrder } from '../sagas/order-fixtures.js';
import { tripSaga } from './trip-saga.js';

const NOW = 1_767_225_600_000;

function started(engine = createEngine([orderSaga, tripSaga])) {
  const result = engine.start('order', {
    sagaId: 'saga-1',
    input: smallOrder,
    now: NOW,
    idempotencyKey: 'key-1',
  });
  if (result.outcome !== 'applied') throw new Error(result.message);
  return { engine, result };
}

describe('engine: start and apply', () => {
  it('starts a saga at revision 1 with its first command, deadline and lifecycle events', () => {
    const { result } = started();
    expect(result.record).to.deep.include({
      id: 'saga-1',
      type: 'order',
      definitionVersion: '1',
      revision: 1,
      status: 'running',
      state: 'reserveInventory.attempting',
      createdAt: NOW,
      updatedAt: NOW,
      idempotencyKey: 'key-1',
    });
    expect(result.effects.map((e) => e.type)).to.deep.equal(['lifecycle', 'command', 'lifecycle']);
    expect(result.effects[0]).to.deep.equal({
      type: 'lifecycle',
      event: 'SagaStarted',
      data: { sagaType: 'order', definitionVersion: '1' },
    });
    expect(result.record.pending).to.have.length(1);
    expect(result.record.timers).to.deep.equal([
      {
        timerId: 'xstate.after.saga.stepTimeout.reserveInventory.order.reserveInventory.attempting',
        dueAt: NOW + 10_000,
        event: {
          type: 'xstate.after.saga.stepTimeout.reserveInventory.order.reserveInventory.attempting',
        },
      },
    ]);
    expect(result.history[0]?.kind).to.equal('started');
  });

  it('rejects an unknown type, naming the known ones', () => {
    const result = createEngine([orderSaga, tripSaga]).start('refund', {
      sagaId: 's',
      input: {},
      now: NOW,
    });
    expect(result).to.deep.include({ outcome: 'rejected', code: 'UNKNOWN_TYPE' });
    if (result.outcome === 'rejected') expect(result.message).to.contain('known: order, trip');
  });

  it('looks definitions up by type', () => {
    const engine = createEngine([orderSaga, tripSaga]);
    expect(engine.definition('order')).to.equal(orderSaga);
    expect(engine.definition('nope')).to.equal(undefined);
    expect(engine.definitions().map((d) => d.type)).to.deep.equal(['order', 'trip']);
    expect(() => createEngine([orderSaga, orderSaga])).to.throw(/registered twice/);
  });

  it('bumps the revision by one per applied step and keeps createdAt and the idempotency key', () => {
    const { engine, result } = started();
    const command = result.record.pending[0];
    if (!command) throw new Error('no pending command');
    const next = engine.apply(
      result.record,
      {
        kind: 'reply',
        reply: {
          commandId: command.commandId,
          sagaId: 'saga-1',
          type: 'ReserveItems',
          outcome: 'success',
        },
      },
      NOW + 5,
    );
    if (next.outcome !== 'applied') throw new Error(next.reason);
    expect(next.record).to.deep.include({
      revision: 2,
      createdAt: NOW,
      updatedAt: NOW + 5,
      idempotencyKey: 'key-1',
    });
  });

  it('writes the command’s payload into its history entry, and a success reply’s result into its own', () => {
    const { engine, result } = started();
    const sent = result.effects.find((effect) => effect.type === 'command');
    if (sent?.type !== 'command') throw new Error('no command sent');
    const commandLine = result.history.find((entry) => entry.kind === 'command');
    expect(commandLine?.data).to.deep.equal({
      participant: 'inventory',
      command: 'ReserveItems',
      kind: 'action',
      payload: sent.payload,
    });
    expect(sent.payload).to.have.property('items');
    const reply = (outcome: 'success' | 'failure'): ReplyMessage => ({
      commandId: sent.commandId,
      sagaId: 'saga-1',
      type: 'ReserveItems',
      ...(outcome === 'success'
        ? { outcome, payload: { reservationId: 'r-7' } }
        : {
            outcome,
            error: { code: 'OUT_OF_STOCK', message: 'none left', retryable: false },
            payload: { sku: 'SKU-1' },
          }),
    });
    const succeeded = engine.apply(
      result.record,
      { kind: 'reply', reply: reply('success') },
      NOW + 5,
    );
    if (succeeded.outcome !== 'applied') throw new Error(succeeded.reason);
    expect(succeeded.history.find((entry) => entry.kind === 'reply')?.data).to.deep.equal({
      outcome: 'success',
      attempt: 1,
      result: { reservationId: 'r-7' },
    });
    // A failure's data is its error; the payload of a failure is not a result.
    const failed = engine.apply(result.record, { kind: 'reply', reply: reply('failure') }, NOW + 5);
    if (failed.outcome !== 'applied') throw new Error(failed.reason);
    expect(failed.history.find((entry) => entry.kind === 'reply')?.data).to.deep.equal({
      outcome: 'failure',
      attempt: 1,
      error: { code: 'OUT_OF_STOCK', message: 'none left', retryable: false },
    });
  });

  it('runs a saga on the definition version that started it', () => {
    const v2 = defineSaga({
      ...orderSaga,
      version: '2',
      input: { check: (input) => orderSaga.checkInput(input) },
    });
    const engine = createEngine([orderSaga, v2]);
    const onV2 = engine.start('order', { sagaId: 's2', input: smallOrder, now: NOW });
    expect(onV2.outcome === 'applied' && onV2.record.definitionVersion).to.equal('2');
    const { result } = started();
    const applied = engine.apply(
      result.record,
      { kind: 'signal', event: { type: 'saga.cancel' } },
      NOW,
    );
    expect(applied.outcome === 'applied' && applied.record.definitionVersion).to.equal('1');
  });

  it('throws DEFINITION_NOT_FOUND for a record whose definition version is gone', () => {
    const { result } = started();
    const orphan: SagaRecord = { ...result.record, definitionVersion: '0' };
    expect(() =>
      createEngine([orderSaga]).apply(orphan, { kind: 'timer', timerId: 'x' }, NOW),
    ).to.throw(SagaEngineError, /no saga definition order version 0/);
  });

  it('throws SNAPSHOT_INVALID for a snapshot that does not fit the statechart', () => {
    const { engine, result } = started();
    const corrupt: SagaRecord = {
      ...result.record,
      snapshot: { ...result.record.snapshot, value: { nowhere: 'at all' } },
    };
    try {
      engine.apply(corrupt, { kind: 'signal', event: { type: 'saga.cancel' } }, NOW);
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(SagaEngineError);
      expect((error as SagaEngineError).code).to.equal('SNAPSHOT_INVALID');
    }
  });

  it('throws DEFINITION_INVALID when a statechart sends a command with unusable params', () => {
    const machine = setup({
      actions: { 'saga.sendCommand': () => {} },
    }).createMachine({
      id: 'broken',
      entry: { type: 'saga.sendCommand', params: { step: 'x' } as never },
      initial: 'compensating',
      states: Object.fromEntries(
        ['compensating', 'parked', 'completed', 'compensated', 'failed', 'cancelled'].map((id) => [
          id,
          { id },
        ]),
      ),
    });
    const broken = defineSaga({ type: 'broken', version: '1', machine, input: { schema: {} } });
    expect(() => createEngine([broken]).start('broken', { sagaId: 's', input: {}, now: NOW }))
      .to.throw(SagaEngineError)
      .with.property('code', 'DEFINITION_INVALID');
  });

  it('restores history states from the persisted snapshot', () => {
    const kit = createSagaKit<Record<string, never>, { type: 'next' | 'pause' | 'resume' }>();
    const machine = kit.setup.createMachine({
      id: 'hist',
      context: kit.initialContext,
      initial: 'work',
      states: {
        work: {
          initial: 'a',
          states: { a: { on: { next: 'b' } }, b: {}, resumeHere: { type: 'history' } },
          on: { pause: 'paused' },
        },
        paused: { on: { resume: 'work.resumeHere' } },
        ...kit.endStates,
      },
    });
    const saga = defineSaga({ type: 'hist', version: '1', machine, input: { schema: {} } });
    const sim = simulateSaga(saga, {});
    for (const type of ['next', 'pause', 'resume']) sim.signal({ type });
    expect(sim.state).to.equal('work.b');
  });

  it('derives command ids from saga, step, kind and attempt', () => {
    expect(commandIdFor('s-1', 'reserve', 'action', 2)).to.equal('s-1.reserve.2');
    expect(commandIdFor('s-1', 'reserve', 'compensation', 1)).to.equal('s-1.reserve.compensate.1');
  });
});
