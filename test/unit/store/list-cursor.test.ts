import { expect } from 'chai';
import { SAGA_STATUSES, isEnded, type SagaStatus } from '../../../wire/contract/index.js';
import { createStoreKeys, indexMember } from '../../../orchestrator/store/keys.js';
import {
  checkLimit,
  compareBytes,
  decodeCursor,
  encodeCursor,
  indexForQuery,
  matchesQuery,
  mergeNewestFirst,
  needsEndedTypes,
  startBound,
} from '../../../orchestrator/store/list-cursor.js';
import type { SagaSummary } from '../../../orchestrator/store/types.js';

describe('store list paging', () => {
  const keys = createStoreKeys('saga', 4);

  it('serves each filter from the narrowest indexes, by type alone or by nothing one per status', () => {
    // Shard 2 holds ended sagas of two types, completed ones of both and failed ones of one.
    const endedTypes = (shard: number, status: SagaStatus): string[] => {
      if (shard !== 2) return [];
      if (status === 'completed') return ['order', 'refund'];
      return status === 'failed' ? ['order'] : [];
    };
    const byType = (shard: number, type: string, status: SagaStatus) =>
      keys.indexByTypeStatus(shard, type, status);
    expect(indexForQuery(keys, {}, endedTypes)(2)).to.deep.equal(
      SAGA_STATUSES.flatMap((status) =>
        isEnded(status)
          ? endedTypes(2, status).map((type) => byType(2, type, status))
          : [keys.indexByStatus(2, status)],
      ),
    );
    expect(indexForQuery(keys, { type: 'order' }, endedTypes)(2)).to.deep.equal(
      SAGA_STATUSES.map((status) => byType(2, 'order', status)),
    );
    expect(indexForQuery(keys, { status: 'parked' })(2)).to.deep.equal([
      keys.indexByStatus(2, 'parked'),
    ]);
    // An ended status without a type: the type-and-status indexes of the types the shard has.
    expect(indexForQuery(keys, { status: 'completed' }, endedTypes)(2)).to.deep.equal([
      byType(2, 'order', 'completed'),
      byType(2, 'refund', 'completed'),
    ]);
    expect(indexForQuery(keys, { status: 'completed' }, endedTypes)(1)).to.deep.equal([]);
    expect(needsEndedTypes({ status: 'completed' })).to.equal(true);
    expect(needsEndedTypes({})).to.equal(true);
    expect(needsEndedTypes({ status: 'running' })).to.equal(false);
    expect(needsEndedTypes({ type: 'order' })).to.equal(false);
    expect(indexForQuery(keys, { type: 'order', status: 'parked' })(1)).to.deep.equal([
      keys.indexByTypeStatus(1, 'order', 'parked'),
    ]);
    expect(
      indexForQuery(keys, { type: 'order', state: 'paying', status: 'running' })(1),
    ).to.deep.equal([keys.indexByTypeState(1, 'order', 'paying')]);
    expect(indexForQuery(keys, { state: 'paying', status: 'running' })(0)).to.deep.equal([
      keys.indexByStatus(0, 'running'),
    ]);
    // A running record sits in one index per status, type-status and type-state: three in all;
    // an ended one in the two by type only.
    expect(
      keys.indexKeysOf({ id: 'a', type: 'order', status: 'running', state: 'paying' }),
    ).to.deep.equal([
      keys.indexByStatus(keys.shardOf('a'), 'running'),
      keys.indexByTypeStatus(keys.shardOf('a'), 'order', 'running'),
      keys.indexByTypeState(keys.shardOf('a'), 'order', 'paying'),
    ]);
    expect(
      keys.indexKeysOf({ id: 'a', type: 'order', status: 'completed', state: 'done' }),
    ).to.deep.equal([
      keys.indexByTypeStatus(keys.shardOf('a'), 'order', 'completed'),
      keys.indexByTypeState(keys.shardOf('a'), 'order', 'done'),
    ]);
  });

  it('checks every filter on a summary', () => {
    const summary: SagaSummary = {
      id: 'a',
      type: 'order',
      definitionVersion: '1',
      revision: 2,
      status: 'running',
      state: 'paying',
      createdAt: 1,
      updatedAt: 2,
    };
    expect(matchesQuery(summary, {})).to.equal(true);
    expect(matchesQuery(summary, { type: 'order', state: 'paying', status: 'running' })).to.equal(
      true,
    );
    expect(matchesQuery(summary, { type: 'refund' })).to.equal(false);
    expect(matchesQuery(summary, { status: 'parked' })).to.equal(false);
    expect(matchesQuery(summary, { state: 'reserving' })).to.equal(false);
    expect(matchesQuery(summary, { idPrefix: 'a' })).to.equal(true);
    expect(matchesQuery(summary, { idPrefix: 'ab' })).to.equal(false);
    expect(matchesQuery(summary, { createdBefore: 2 })).to.equal(true);
    expect(matchesQuery(summary, { createdBefore: 1 })).to.equal(false);
    expect(matchesQuery(summary, { overdueBefore: 10 })).to.equal(true);
    expect(matchesQuery({ ...summary, status: 'parked' }, { overdueBefore: 10 })).to.equal(false);
  });

  it('starts the read below the cursor or the creation-time bound, whichever is lower', () => {
    const member = indexMember({ id: 'x', createdAt: 5_000 });
    expect(startBound({})).to.equal('+');
    expect(startBound({ cursor: encodeCursor(member) })).to.equal(`(${member}`);
    // A saga created at 5000 is not "created before 5000"; one created at 4999 is.
    expect(startBound({ createdBefore: 5_000 })).to.equal('(000000000005000');
    expect(compareBytes(indexMember({ id: 'x', createdAt: 5_000 }), '000000000005000')).to.equal(1);
    expect(compareBytes(indexMember({ id: 'zz', createdAt: 4_999 }), '000000000005000')).to.equal(
      -1,
    );
    expect(startBound({ cursor: encodeCursor(member), createdBefore: 9_000 })).to.equal(
      `(${member}`,
    );
    expect(startBound({ cursor: encodeCursor(member), createdBefore: 10 })).to.equal(
      '(000000000000010',
    );
  });

  it('orders strings by UTF-8 bytes, as Redis does, not by UTF-16 units', () => {
    // U+FF5E is one UTF-16 unit above the surrogate U+D83D, but its UTF-8 bytes sort lower.
    const emoji = '\u{1F600}';
    const fullwidth = '\uFF5E';
    expect(emoji < fullwidth).to.equal(true);
    expect(compareBytes(emoji, fullwidth)).to.be.greaterThan(0);
    expect(compareBytes('a', 'a')).to.equal(0);
  });

  it('merges shard lists newest first and keeps only what was asked', () => {
    const merged = mergeNewestFirst(
      [['000000000000009:a', '000000000000003:c'], ['000000000000007:b', '000000000000003:d'], []],
      3,
    );
    expect(merged).to.deep.equal(['000000000000009:a', '000000000000007:b', '000000000000003:d']);
  });

  it('round-trips a cursor and rejects one it did not make', () => {
    const member = '001700000000000:order-ü:1';
    expect(decodeCursor(encodeCursor(member))).to.equal(member);
    for (const bad of ['', 'abc', encodeCursor('not-a-member'), `${encodeCursor(member)}=`]) {
      expect(() => decodeCursor(bad), bad).to.throw(/not a cursor/);
    }
  });

  it('defaults the limit and bounds it', () => {
    expect(checkLimit(undefined)).to.equal(50);
    expect(checkLimit(500)).to.equal(500);
    for (const bad of [0, -1, 501, 2.5, Number.NaN]) {
      expect(() => checkLimit(bad), String(bad)).to.throw(/limit/);
    }
  });
});
