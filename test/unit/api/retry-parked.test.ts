import { expect } from 'chai';
import type { ApiOrchestrator } from '../../../orchestrator/api/index.js';
import { retryParked } from '../../../orchestrator/api/saga-fleet-routes.js';
import type { OperatorAudit, SagaRecord } from '../../../orchestrator/engine/index.js';
import type { ListQuery, SagaSummary } from '../../../orchestrator/store/index.js';

/**
 * An in-memory list of parked sagas behind the two operations bulk retry uses: pages newest first
 * with a cursor, and a retry that moves a saga out of the parked list
 * (or refuses, or fails, as the test says).
 */
const AUDIT: OperatorAudit = { actor: 'ana', reason: 'supplier back', role: 'operator' };

function parkedFleet(count: number, refuse: Record<string, 'not-accepted' | 'gone' | 'throws'>) {
  const summaries: SagaSummary[] = Array.from({ length: count }, (_, n) => ({
    id: `s-${String(count - n).padStart(5, '0')}`,
    type: 'order',
    definitionVersion: '1',
    revision: 3,
    status: 'parked',
    state: n % 2 === 0 ? 'parked' : 'parkedElsewhere',
    createdAt: 1_000_000 - n,
    updatedAt: 1_000_000,
  }));
  const queries: ListQuery[] = [];
  const retried: string[] = [];
  const audits: (OperatorAudit | undefined)[] = [];
  const fleet: Pick<ApiOrchestrator, 'listSagas' | 'retry'> = {
    listSagas: async (query) => {
      queries.push(query);
      const matching = summaries.filter(
        (s) =>
          s.status === query.status &&
          s.type === query.type &&
          (query.state === undefined || s.state === query.state),
      );
      const start = query.cursor === undefined ? 0 : Number(query.cursor);
      const limit = query.limit ?? 50;
      const items = matching.slice(start, start + limit);
      // The list here does not shrink as sagas are retried, so an offset works as the cursor.
      const next = start + items.length;
      return { items, ...(next < matching.length ? { nextCursor: String(next) } : {}) };
    },
    retry: async (id, audit) => {
      audits.push(audit);
      const record = { id, status: 'running', state: 'compensating' } as SagaRecord;
      if (refuse[id] === 'throws') throw new Error('Redis went away');
      if (refuse[id] === 'gone') return { status: 'unknown-saga' };
      if (refuse[id] === 'not-accepted') {
        return { status: 'not-accepted', reason: 'not-parked', record };
      }
      retried.push(id);
      return { status: 'applied', record };
    },
  };
  return { fleet, queries, retried, summaries, audits };
}

describe('API: bulk retry of parked sagas (no infrastructure)', () => {
  it('pages through the parked sagas of the type, at most the default 1,000, 500 a page', async () => {
    const { fleet, queries, retried } = parkedFleet(1_203, {});
    const dry = await retryParked(fleet, { type: 'order', dryRun: true }, AUDIT);
    expect(dry.matched).to.equal(1_000);
    expect(dry.retried).to.equal(0);
    expect(dry.ids).to.have.length(1_000);
    expect(new Set(dry.ids).size).to.equal(1_000);
    expect(retried).to.deep.equal([]);
    expect(queries.map((q) => q.limit)).to.deep.equal([500, 500]);
    expect(queries.every((q) => q.status === 'parked' && q.type === 'order')).to.equal(true);
  });

  it('retries each one, reports every refusal and failure by id, and goes on past them', async () => {
    const { fleet, retried, audits } = parkedFleet(40, {
      's-00040': 'not-accepted',
      's-00039': 'gone',
      's-00038': 'throws',
    });
    const result = await retryParked(fleet, { type: 'order', limit: 30 }, AUDIT);
    expect(result.matched).to.equal(30);
    expect(result.retried).to.equal(27);
    expect(result.ids).to.deep.equal(retried);
    // Every saga's retry carries who asked for the bulk retry and why (its history line).
    expect(audits).to.have.length(30);
    expect(audits.every((audit) => audit === AUDIT)).to.equal(true);
    expect(result.failed).to.deep.equal([
      {
        id: 's-00040',
        reason: 'not retried: not-parked (now running, state compensating)',
      },
      { id: 's-00039', reason: 'the saga is gone (purged)' },
      { id: 's-00038', reason: 'the retry failed: Redis went away' },
    ]);
  });

  it('keeps to the state asked for', async () => {
    const { fleet, summaries } = parkedFleet(10, {});
    const result = await retryParked(
      fleet,
      { type: 'order', state: 'parked', dryRun: true },
      AUDIT,
    );
    expect(result.ids).to.deep.equal(
      summaries.filter((s) => s.state === 'parked').map((s) => s.id),
    );
  });
});
