import { expect } from 'chai';
import {
  createSagaStore,
  indexMember,
  type ListQuery,
  type SagaStore,
} from '../../../orchestrator/store/index.js';
import type { ArmedTimer, SagaRecord } from '../../../orchestrator/engine/types.js';
import { useInfra } from '../../support/infra.js';
import { newSagaId, nextRecord, startedRecord, timer } from './records.js';

const T0 = 1_700_000_000_000;
/** "Now" minus the grace: timers due before it are overdue. */
const OVERDUE_BEFORE = T0 + 600_000;

describe('saga store: overdue sagas from the timer sets (real Redis)', function () {
  const infra = useInfra('store-overdue');
  let store: SagaStore;
  /** The running sagas with a timer due before OVERDUE_BEFORE, by the test's own account. */
  const overdue: SagaRecord[] = [];
  let notYetDue: SagaRecord;
  let parked: SagaRecord;
  let claimedLater: SagaRecord;

  async function saga(
    timers: ArmedTimer[],
    overrides: Partial<SagaRecord> = {},
  ): Promise<SagaRecord> {
    const record = startedRecord({ timers, ...overrides });
    await store.create(record, { timersToSet: timers });
    return record;
  }

  before(async function () {
    this.timeout(60_000);
    store = createSagaStore({ redis: infra.redis, keyPrefix: infra.prefix, shards: 4 });
    for (let n = 0; n < 23; n += 1) {
      overdue.push(
        await saga([timer(`deadline-${n}`, T0 + n * 1_000)], {
          id: newSagaId(n % 2 === 0 ? 'even' : 'odd'),
          type: n % 3 === 0 ? 'refund' : 'order',
          createdAt: T0 - 100_000 + (n % 5) * 1_000,
        }),
      );
    }
    // One overdue timer and one in the future: listed once.
    overdue.push(await saga([timer('late', T0), timer('later', OVERDUE_BEFORE + 60_000)]));
    notYetDue = await saga([timer('future', OVERDUE_BEFORE + 1)]);
    await saga([]);
    // A parked saga keeps its record but is not "stuck past a deadline": an operator owns it.
    const toPark = await saga([timer('old', T0)]);
    parked = nextRecord(toPark, { status: 'parked', state: 'parked' });
    expect((await store.commit(1, parked)).status).to.equal('committed');
    // Claimed by a poller: its score is the claim's end, so it is being handled, not stuck.
    claimedLater = await saga([timer('claimed', T0 + 500)], { id: 'claimed-saga' });
  });

  const ids = (records: readonly SagaRecord[]) =>
    [...records]
      .sort((a, b) => Buffer.compare(Buffer.from(indexMember(b)), Buffer.from(indexMember(a))))
      .map((record) => record.id);

  async function pageThrough(query: ListQuery): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await store.listSagas({ ...query, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).to.be.at.most(query.limit ?? 50);
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === undefined) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('the list never ended');
  }

  it('lists every running saga with a timer past due, once, newest first, across pages', async () => {
    const expected = ids([...overdue, claimedLater]);
    for (const limit of [1, 7, 50]) {
      expect(
        await pageThrough({ overdueBefore: OVERDUE_BEFORE, limit }),
        `limit ${limit}`,
      ).to.deep.equal(expected);
    }
    expect(expected).to.not.include(notYetDue.id);
    expect(expected).to.not.include(parked.id);
  });

  it('combines with the other filters', async () => {
    const query = { overdueBefore: OVERDUE_BEFORE, limit: 5 };
    expect(await pageThrough({ ...query, type: 'refund' })).to.deep.equal(
      ids(overdue.filter((r) => r.type === 'refund')),
    );
    expect(await pageThrough({ ...query, idPrefix: 'even-' })).to.deep.equal(
      ids(overdue.filter((r) => r.id.startsWith('even-'))),
    );
    expect(
      await pageThrough({ ...query, createdBefore: T0 - 98_000, idPrefix: 'odd-' }),
    ).to.deep.equal(
      ids(overdue.filter((r) => r.id.startsWith('odd-') && r.createdAt < T0 - 98_000)),
    );
    expect(await pageThrough({ ...query, status: 'parked' })).to.deep.equal([]);
    // Only what is past due at the given instant: the first three deadlines, `late` and `claimed`.
    expect(await pageThrough({ overdueBefore: T0 + 2_500 })).to.have.members(
      [overdue[0], overdue[1], overdue[2], overdue[23], claimedLater].map((r) => r?.id),
    );
  });

  it('leaves out a saga whose timer a poller has claimed', async () => {
    const shard = store.shardOf(claimedLater.id);
    const { claimed } = await store.claimDueTimers(shard, T0 + 1_000, 100, OVERDUE_BEFORE);
    expect(claimed.map((c) => c.sagaId)).to.include(claimedLater.id);
    const listed = await pageThrough({ overdueBefore: OVERDUE_BEFORE });
    expect(listed).to.not.include(claimedLater.id);
    expect(listed.length).to.be.greaterThan(0);
  });
});
