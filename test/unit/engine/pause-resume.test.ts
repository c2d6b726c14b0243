import { expect } from 'chai';
import {
  createEngine,
  type OperatorAudit,
  type SagaEvent,
  type SagaRecord,
  type StepResult,
} from '../../../orchestrator/engine/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { smallOrder } from '../sagas/order-fixtures.js';

const NOW = 1_767_225_600_000;
const alice: OperatorAudit = { actor: 'alice', reason: 'supplier outage', role: 'operator' };
const engine = createEngine([orderSaga]);

function applied(result: StepResult): Extract<StepResult, { outcome: 'applied' }> {
  if (result.outcome !== 'applied') throw new Error(`ignored: ${result.reason}`);
  return result;
}

function startedOrder(): SagaRecord {
  const result = engine.start('order', { sagaId: 'o-1', input: smallOrder, now: NOW });
  if (result.outcome !== 'applied') throw new Error(result.message);
  return result.record;
}

function replyTo(record: SagaRecord): SagaEvent {
  const command = record.pending[0];
  if (!command) throw new Error('no pending command');
  return {
    kind: 'reply',
    reply: {
      commandId: command.commandId,
      sagaId: record.id,
      type: command.command,
      outcome: 'success',
    },
  };
}

describe('engine: pause and resume', () => {
  it('pauses with one operator history line and no effect; a second pause is ignored', () => {
    const step = applied(engine.apply(startedOrder(), { kind: 'pause', audit: alice }, NOW + 10));
    expect(step.record.revision).to.equal(2);
    expect(step.record.paused).to.deep.equal({
      at: NOW + 10,
      actor: 'alice',
      reason: 'supplier outage',
      role: 'operator',
      heldReplies: [],
    });
    expect(step.effects).to.deep.equal([]);
    expect(step.history).to.deep.equal([
      {
        at: NOW + 10,
        kind: 'operator',
        summary: 'paused by alice: supplier outage',
        data: { action: 'pause', actor: 'alice', reason: 'supplier outage', role: 'operator' },
      },
    ]);
    expect(engine.apply(step.record, { kind: 'pause', audit: alice }, NOW + 20)).to.deep.include({
      outcome: 'ignored',
      reason: 'saga-paused',
    });
  });

  it('holds a reply while paused (no transition, no command) and applies it on resume', () => {
    const started = startedOrder();
    const paused = applied(engine.apply(started, { kind: 'pause', audit: alice }, NOW + 10));
    const held = applied(engine.apply(paused.record, replyTo(started), NOW + 20));
    expect(held.record.state).to.equal(started.state);
    expect(held.record.pending).to.deep.equal(started.pending);
    expect(held.effects).to.deep.equal([]);
    expect(held.record.paused?.heldReplies).to.have.length(1);
    expect(held.history[0]?.summary).to.match(/^reply held: paused — reserveInventory:/);
    // The same reply again is a duplicate, not a second held reply.
    expect(engine.apply(held.record, replyTo(started), NOW + 25)).to.deep.include({
      outcome: 'ignored',
      reason: 'not-pending',
    });

    const resumed = applied(
      engine.apply(
        held.record,
        { kind: 'resume', audit: { actor: 'bob', role: 'operator' } },
        NOW + 30,
      ),
    );
    // One write: revision + 1, the pause gone, the held reply applied as if it arrived now.
    expect(resumed.record.revision).to.equal(held.record.revision + 1);
    expect(resumed.record.paused).to.equal(undefined);
    expect(resumed.record.state).to.not.equal(started.state);
    expect(resumed.history[0]).to.deep.include({ kind: 'operator', summary: 'resumed by bob' });
    expect(resumed.history[0]?.data).to.deep.include({ pausedForMs: 20, heldReplies: 1 });
    expect(resumed.history.some((h) => h.kind === 'reply')).to.equal(true);
    expect(resumed.effects.some((e) => e.type === 'command')).to.equal(true);
  });

  it('ignores a due timer and refuses a signal while paused', () => {
    const started = startedOrder();
    const paused = applied(engine.apply(started, { kind: 'pause', audit: alice }, NOW + 10));
    const timer = started.timers[0];
    if (!timer) throw new Error('no timer');
    for (const event of [
      { kind: 'timer', timerId: timer.timerId, dueAt: timer.dueAt },
      { kind: 'signal', event: { type: 'saga.cancel' }, audit: alice },
    ] satisfies SagaEvent[]) {
      expect(engine.apply(paused.record, event, timer.dueAt + 1)).to.deep.include({
        outcome: 'ignored',
        reason: 'saga-paused',
      });
    }
  });

  it('moves timers and pending deadlines later by the time paused, so a deadline due during the pause has its remaining time after resume', () => {
    const started = startedOrder();
    const timer = started.timers[0];
    const command = started.pending[0];
    if (!timer || !command) throw new Error('no timer');
    const pausedAt = NOW + 3_000;
    const paused = applied(engine.apply(started, { kind: 'pause', audit: alice }, pausedAt));
    // Paused for longer than the whole deadline (10 s): 7 s of it were left, and still are.
    const resumedAt = pausedAt + 60_000;
    const resumed = applied(
      engine.apply(paused.record, { kind: 'resume', audit: alice }, resumedAt),
    );
    expect(resumed.record.timers[0]?.dueAt).to.equal(timer.dueAt + 60_000);
    expect((resumed.record.timers[0]?.dueAt ?? 0) - resumedAt).to.equal(7_000);
    expect(resumed.record.pending[0]?.expiresAt).to.equal(command.expiresAt + 60_000);
  });

  it('resumes only a paused saga, and neither pauses nor resumes an ended one', () => {
    const started = startedOrder();
    expect(engine.apply(started, { kind: 'resume', audit: alice }, NOW)).to.deep.include({
      outcome: 'ignored',
      reason: 'not-paused',
    });
    const ended = { ...started, status: 'completed' as const };
    for (const kind of ['pause', 'resume'] as const) {
      expect(engine.apply(ended, { kind, audit: alice }, NOW)).to.deep.include({
        outcome: 'ignored',
        reason: 'saga-ended',
      });
    }
  });

  it('writes cancel, retry and signal as one operator line each, with who and why', () => {
    const cancelled = applied(
      engine.apply(
        startedOrder(),
        { kind: 'signal', event: { type: 'saga.cancel' }, audit: alice },
        NOW,
      ),
    );
    const lines = cancelled.history.filter((h) => h.kind === 'operator' || h.kind === 'signal');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({
      kind: 'operator',
      summary: 'cancelled by alice: supplier outage',
    });
    expect(lines[0]?.data).to.deep.include({ action: 'cancel', actor: 'alice', role: 'operator' });
  });
});
