import { expect } from 'chai';
import { redisCommandLedger, type CommandLedger } from '../../../participants/sdk/index.js';
import { until } from '../../support/eventually.js';
import { useInfra } from '../../support/infra.js';

describe('participant SDK: command ledger in Redis (real Redis)', function () {
  const infra = useInfra('ledger');
  let ledger: CommandLedger;
  beforeEach(() => {
    ledger = redisCommandLedger({ redis: infra.redis, keyPrefix: infra.key('{ledger}') });
  });

  it('gives a command to exactly one of many concurrent claimants', async () => {
    const claims = await Promise.all(
      Array.from({ length: 25 }, (_, i) => ledger.claim('cmd-race', `owner-${i}`, 30_000)),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).to.have.length(1);
    const busy = claims.filter((c) => c.kind === 'busy');
    expect(busy).to.have.length(24);
    for (const claim of busy) {
      if (claim.kind === 'busy') expect(claim.leaseLeftMs).to.be.within(1, 30_000);
    }
  });

  it('answers later claims with the recorded result; the first result recorded wins', async () => {
    expect(await ledger.claim('cmd-1', 'a', 30_000)).to.deep.equal({ kind: 'claimed' });
    const first = await ledger.complete(
      'cmd-1',
      'a',
      { outcome: 'success', payload: { reservationId: 'r-1' } },
      60_000,
    );
    expect(first).to.deep.equal({
      result: { outcome: 'success', payload: { reservationId: 'r-1' } },
      existing: false,
      claimLost: false,
    });
    expect(await ledger.claim('cmd-1', 'b', 30_000)).to.deep.equal({
      kind: 'done',
      result: { outcome: 'success', payload: { reservationId: 'r-1' } },
    });
    const late = await ledger.complete(
      'cmd-1',
      'b',
      { outcome: 'failure', error: { code: 'X', message: 'late', retryable: true } },
      60_000,
    );
    expect(late.existing).to.equal(true);
    expect(late.result).to.deep.equal({ outcome: 'success', payload: { reservationId: 'r-1' } });
    const ttl = await infra.redis.pttl(ledger.redisKey?.('cmd-1') ?? '');
    expect(ttl).to.be.within(1, 60_000);
  });

  it('extends and releases a claim only for its owner', async () => {
    await ledger.claim('cmd-2', 'owner', 1_000);
    expect(await ledger.extend('cmd-2', 'intruder', 50_000)).to.equal(false);
    expect(await ledger.extend('cmd-2', 'owner', 50_000)).to.equal(true);
    expect(await infra.redis.pttl(ledger.redisKey?.('cmd-2') ?? '')).to.be.greaterThan(1_000);
    await ledger.release('cmd-2', 'intruder');
    expect((await ledger.claim('cmd-2', 'other', 1_000)).kind).to.equal('busy');
    await ledger.release('cmd-2', 'owner');
    expect((await ledger.claim('cmd-2', 'other', 1_000)).kind).to.equal('claimed');
  });

  it('lets a claim lapse after its lease (a crashed owner), so another delivery takes over', async () => {
    await ledger.claim('cmd-3', 'crashed', 150);
    const key = ledger.redisKey?.('cmd-3') ?? '';
    await until('the lapsed claim to expire', async () => (await infra.redis.exists(key)) === 0);
    expect(await ledger.claim('cmd-3', 'successor', 30_000)).to.deep.equal({ kind: 'claimed' });
    const done = await ledger.complete('cmd-3', 'crashed', { outcome: 'success' }, 60_000);
    // The lapsed owner finishing late is told its claim was not its own any more.
    expect(done.claimLost).to.equal(true);
  });
});
