import { expect } from 'chai';
import type { HistoryEntry } from '../../../orchestrator/engine/types.js';
import {
  decodeHistoryEntry,
  encodeHistoryEntry,
} from '../../../orchestrator/store/history-codec.js';

const sagaId = 'order-93cc501a-fa7e-45cb-b27d-201152eb3e1a';
const createdAt = 1_796_186_511_048;

// Entries as the order saga writes them (captured from a run).
const entries: HistoryEntry[] = [
  {
    at: createdAt,
    kind: 'started',
    summary: 'order v1 started in reserveInventory.attempting',
    to: 'reserveInventory.attempting',
  },
  {
    at: createdAt,
    kind: 'command',
    step: 'reserveInventory',
    commandId: `${sagaId}.reserveInventory.1`,
    summary: 'reserveInventory: ReserveItems → inventory (attempt 1)',
    data: { participant: 'inventory', command: 'ReserveItems', kind: 'action' },
  },
  {
    at: createdAt + 352,
    kind: 'reply',
    step: 'reserveInventory',
    commandId: `${sagaId}.reserveInventory.1`,
    summary: 'reserveInventory: ReserveItems succeeded (attempt 1)',
    data: { outcome: 'success', attempt: 1 },
  },
  {
    at: createdAt + 352,
    kind: 'transition',
    from: 'reserveInventory.attempting',
    to: 'authorizePayment.attempting',
    summary: 'reserveInventory.attempting → authorizePayment.attempting (running)',
  },
];

describe('store history codec', () => {
  it('round-trips the entries a saga writes, in less than half their JSON', () => {
    let json = 0;
    let compact = 0;
    for (const entry of entries) {
      const text = encodeHistoryEntry(entry, sagaId, createdAt);
      expect(text.startsWith('[')).to.equal(true);
      expect(decodeHistoryEntry(text, sagaId, createdAt)).to.deep.equal(entry);
      json += Buffer.byteLength(JSON.stringify(entry));
      compact += Buffer.byteLength(text);
    }
    expect(compact).to.be.below(json * 0.5);
    const command = encodeHistoryEntry(entries[1]!, sagaId, createdAt);
    expect(command).to.not.include(sagaId);
    expect(command).to.equal(
      '[1,0,"^0: ^3 → ^4 (attempt 1)","reserveInventory",1,null,null,' +
        '{"p":"inventory","c":"ReserveItems","k":"action"}]',
    );
  });

  it('keeps what it cannot shorten: odd command ids, summaries with ^, unknown kinds', () => {
    const odd: HistoryEntry[] = [
      { at: 5, kind: 'command', step: 'pay', commandId: '.pay.1', summary: 'pay ^0 ^1 pay' },
      { at: 6, kind: 'reply', commandId: '=x', summary: '' },
      { at: 7, kind: 'reply', commandId: 'other-saga.pay.1', summary: 'pay', step: 'pay' },
      { at: 8, kind: 'later' as HistoryEntry['kind'], summary: 'x', data: { a: [1, { b: null }] } },
      { at: -3, kind: 'signal', summary: 'saga.cancel', from: 'a', to: 'b', step: 'saga' },
      { at: 9, kind: 'reply', step: 's', commandId: 'pay.s.01', summary: 'x', data: { p: 1 } },
      { at: 9, kind: 'reply', step: 's', commandId: 'pay.s.7', summary: 'y', data: { a: 1, b: 2 } },
      { at: 9, kind: 'reply', commandId: 'pay.s.7', summary: 'z', data: { attempt: 2, x: 'p' } },
    ];
    for (const entry of odd) {
      const text = encodeHistoryEntry(entry, 'pay', 10);
      expect(decodeHistoryEntry(text, 'pay', 10), text).to.deep.equal(entry);
    }
  });

  it('reads entries of the first form (one JSON object each)', () => {
    const first = JSON.stringify(entries[1]);
    expect(decodeHistoryEntry(first, sagaId, 0)).to.deep.equal(entries[1]);
  });
});
