import { expect } from 'chai';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import { recentRecordMaxAgeMs } from '../../../orchestrator/runtime/orchestrator-options.js';
import { RecentRecords } from '../../../orchestrator/runtime/recent-records.js';

const record = (id: string, overrides: Partial<SagaRecord> = {}): SagaRecord => ({
  id,
  type: 'order',
  definitionVersion: '1',
  revision: 2,
  status: 'running',
  state: 'paying',
  snapshot: {},
  pending: [],
  timers: [],
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('recent records', () => {
  it('keeps at most its capacity, forgetting the one written longest ago', () => {
    const recent = new RecentRecords({ capacity: 2, maxAgeMs: 1_000 });
    recent.set(record('a'), 0);
    recent.set(record('b'), 0);
    recent.set(record('a', { revision: 3 }), 1); // written again: now the youngest
    recent.set(record('c'), 2);
    expect(recent.get('b', 3)).to.equal(undefined);
    expect(recent.get('a', 3)?.revision).to.equal(3);
    expect(recent.get('c', 3)?.id).to.equal('c');
    expect(recent.size).to.equal(2);
  });

  it('does not keep ended sagas, and forgets a saga when it ends', () => {
    const recent = new RecentRecords({ capacity: 10, maxAgeMs: 1_000 });
    recent.set(record('a'), 0);
    recent.set(record('a', { status: 'completed' }), 1);
    recent.set(record('b', { status: 'compensated' }), 1);
    expect(recent.get('a', 2)).to.equal(undefined);
    expect(recent.get('b', 2)).to.equal(undefined);
    recent.set(record('p', { status: 'parked' }), 1); // parked sagas can move again
    expect(recent.get('p', 2)?.status).to.equal('parked');
  });

  it('trusts a record only for its maximum age, and not when the clock went back', () => {
    const recent = new RecentRecords({ capacity: 10, maxAgeMs: 1_000 });
    recent.set(record('a'), 5_000);
    expect(recent.get('a', 6_000)?.id).to.equal('a');
    expect(recent.get('a', 6_001)).to.equal(undefined);
    recent.set(record('b'), 5_000);
    expect(recent.get('b', 4_999)).to.equal(undefined);
  });

  it('keeps nothing with capacity 0', () => {
    const recent = new RecentRecords({ capacity: 0, maxAgeMs: 1_000 });
    recent.set(record('a'), 0);
    expect(recent.get('a', 0)).to.equal(undefined);
  });

  it('trusts kept records for 30 s, or a quarter of a shorter retention', () => {
    expect(recentRecordMaxAgeMs(7 * 24 * 3_600_000)).to.equal(30_000);
    expect(recentRecordMaxAgeMs(60_000)).to.equal(15_000);
    expect(recentRecordMaxAgeMs(2)).to.equal(1);
  });
});
