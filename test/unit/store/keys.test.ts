import { expect } from 'chai';
import { crc32 } from 'node:zlib';
import {
  counterField,
  createStoreKeys,
  indexMember,
  isIndexMember,
  parseCounterField,
  sagaIdOfIndexMember,
  timerMember,
} from '../../../orchestrator/store/keys.js';
import { shardOf } from '../../../orchestrator/store/shard.js';

describe('store keys', () => {
  const keys = createStoreKeys('saga', 16);

  it('computes the shard as crc32(id) mod shards, stable for a given id', () => {
    // crc32('123456789') is the standard CRC-32 check value 0xCBF43926.
    expect(crc32('123456789')).to.equal(0xcbf43926);
    expect(shardOf('123456789', 16)).to.equal(0xcbf43926 % 16);
    expect(shardOf('123456789', 1)).to.equal(0);
    const seen = new Set(Array.from({ length: 400 }, (_, n) => shardOf(`order-${n}`, 16)));
    expect(seen.size).to.equal(16);
  });

  it('names a saga’s keys and its shard’s keys under one hash tag', () => {
    const id = 'order-abc';
    const shard = keys.shardOf(id);
    const tag = `{s${shard}}`;
    const all = [
      keys.saga(id),
      keys.history(id),
      keys.outbox(shard),
      keys.timers(shard),
      keys.expiry(shard),
      keys.counters(shard),
      keys.ownerEpoch(shard),
      keys.relayBatches(shard),
      ...keys.indexKeysOf({ id, type: 'order', status: 'running', state: 'paying' }),
    ];
    for (const key of all) {
      expect(key.startsWith(`saga:${tag}:`), key).to.equal(true);
      // Redis hashes the first {…}: nothing before it may contain a brace.
      expect(key.indexOf('{')).to.equal('saga:'.length);
    }
    expect(keys.saga(id)).to.equal(`saga:${tag}:saga:order-abc`);
    expect(keys.saga(id)).to.equal(keys.sagaKeyPrefix(shard) + id);
    expect(keys.history(id)).to.equal(keys.historyKeyPrefix(shard) + id);
    expect(new Set(all).size).to.equal(all.length);
  });

  it('never lets a saga id collide with another saga’s history or a shard key', () => {
    // `x:history` is an id like any other: its record is not the history of `x`.
    expect(keys.saga('x:history')).to.not.equal(keys.history('x'));
    expect(keys.saga('x')).to.not.equal(keys.history('x'));
  });

  it('keeps (type, state) pairs with colons apart in key names and counter fields', () => {
    const a = keys.indexByTypeState(0, 'a:b', 'c');
    const b = keys.indexByTypeState(0, 'a', 'b:c');
    expect(a).to.not.equal(b);
    expect(counterField('a:b', 'c', 'running')).to.not.equal(counterField('a', 'b:c', 'running'));
    expect(parseCounterField(counterField('ship:ment', 'a.b,c d', 'parked'))).to.deep.equal({
      type: 'ship:ment',
      state: 'a.b,c d',
      status: 'parked',
    });
    expect(parseCounterField('a:b')).to.equal(undefined);
  });

  it('makes index members that sort by creation time, then id, and give the id back', () => {
    const early = indexMember({ id: 'z', createdAt: 999 });
    const late = indexMember({ id: 'a', createdAt: 1_700_000_000_000 });
    expect(early).to.equal('000000000000999:z');
    expect(early < late).to.equal(true);
    expect(sagaIdOfIndexMember(indexMember({ id: 'a:b:c', createdAt: 5 }))).to.equal('a:b:c');
    expect(isIndexMember(late)).to.equal(true);
    expect(isIndexMember('12:abc')).to.equal(false);
  });

  it('joins saga id and timer id with a NUL in timer members', () => {
    expect(timerMember('s-1', 'xstate.after.1000.order.wait')).to.equal(
      's-1\u0000xstate.after.1000.order.wait',
    );
  });
});
