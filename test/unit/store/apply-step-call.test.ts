import { expect } from 'chai';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { applyStepCall } from '../../../orchestrator/store/apply-step-call.js';
import { createStoreKeys } from '../../../orchestrator/store/keys.js';

const keys = createStoreKeys('p', 4);
const settings = { retentionMs: 1_000, historyLimit: 50 };

function record(overrides: Partial<SagaRecord> = {}): SagaRecord {
  return {
    id: 'order-1',
    type: 'order',
    definitionVersion: '3',
    revision: 1,
    status: 'running',
    state: 'reserving',
    snapshot: { value: 'reserving' },
    pending: [],
    timers: [],
    createdAt: 100,
    updatedAt: 200,
    ...overrides,
  };
}

describe('apply-step arguments', () => {
  it('lays KEYS and ARGV out as the script header says', () => {
    const r = record({ idempotencyKey: 'k' });
    const shard = keys.shardOf(r.id);
    const call = applyStepCall(keys, settings, 0, r, {
      timersToCancel: ['old'],
      timersToSet: [{ timerId: 'new', dueAt: 900, event: { type: 'new' } }],
      history: [{ at: 200, kind: 'started', summary: 'started' }],
      outbox: [{ topic: 't', key: 'order-1', value: 'v', headers: { h: '1' } }],
    });
    expect(call.keys).to.deep.equal([
      keys.saga(r.id),
      keys.history(r.id),
      keys.outbox(shard),
      keys.timers(shard),
      keys.counters(shard),
      keys.expiry(shard),
    ]);
    const args = call.args.map(String);
    expect(args.slice(0, 7)).to.deep.equal([
      '0',
      'order-1',
      '000000000000100:order-1',
      keys.indexKeysOf(r).join('\n'),
      'order:reserving:running',
      '0',
      '50',
    ]);
    const fieldCount = Number(args[7]);
    // version, m, snapshot: the record has no pending command, timer or trace.
    expect(args.slice(8, 8 + fieldCount).filter((_, i) => i % 2 === 0)).to.deep.equal([
      'version',
      'm',
      'snapshot',
    ]);
    const rest = args.slice(8 + fieldCount);
    expect(rest).to.deep.equal([
      '4',
      'snapshotZ',
      'pending',
      'timers',
      'trace',
      '1',
      'order-1\u0000old',
      '1',
      '900',
      'order-1\u0000new',
      '1',
      // Compact: kind 0 (started), 100 ms after creation.
      '[0,100,"started"]',
      '1',
      't',
      'order-1',
      'v',
      '{"h":"1"}',
      '',
      // The outbox hold: none (a step that neither pauses nor resumes its saga).
      '',
    ]);
  });

  it('holds the outbox on a pause and releases it, dropping the pause, on a resume', () => {
    const paused = record({
      revision: 2,
      paused: { at: 150, actor: 'alice', role: 'operator', heldReplies: [] },
    });
    const pausing = applyStepCall(keys, settings, 1, paused, { outboxHold: 'hold' }).args.map(
      String,
    );
    expect(pausing.at(-1)).to.equal('hold');
    expect(pausing).to.include('paused');
    const resuming = applyStepCall(keys, settings, 2, record({ revision: 3 }), {
      outboxHold: 'release',
    }).args.map(String);
    expect(resuming.at(-1)).to.equal('release');
    const fieldCount = Number(resuming[7]);
    const deleteCount = Number(resuming[8 + fieldCount]);
    const deleted = resuming.slice(9 + fieldCount, 9 + fieldCount + deleteCount);
    expect(deleted).to.include('paused');
  });

  it('schedules the purge of an ended saga, never of a parked or running one', () => {
    const purgeAt = (status: SagaRecord['status']) =>
      applyStepCall(keys, settings, 1, record({ revision: 2, status })).args[5];
    expect(purgeAt('completed')).to.equal('1200');
    expect(purgeAt('compensated')).to.equal('1200');
    expect(purgeAt('failed')).to.equal('1200');
    expect(purgeAt('cancelled')).to.equal('1200');
    expect(purgeAt('parked')).to.equal('0');
    expect(purgeAt('running')).to.equal('0');
  });

  it('refuses ids, versions and instants the script could not store whole', () => {
    const bad: [number, SagaRecord, object][] = [
      [0, record({ id: '' }), {}],
      [0, record({ id: 'a\u0000b' }), {}],
      [0, record({ id: 'a\nb' }), {}],
      [0, record({ revision: 2 }), {}],
      [1, record({ revision: 1 }), {}],
      [-1, record({ revision: 0 }), {}],
      [0, record({ createdAt: Number.NaN }), {}],
      [0, record({ updatedAt: 1.5 }), {}],
      [0, record(), { timersToSet: [{ timerId: 't', dueAt: Infinity, event: { type: 't' } }] }],
    ];
    for (const [expected, r, write] of bad) {
      expect(() => applyStepCall(keys, settings, expected, r, write), JSON.stringify(r)).to.throw(
        /saga id|revision|integer/,
      );
    }
  });
});
