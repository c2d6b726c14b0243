import { expect } from 'chai';
import { sagaSummaryView, sagaView } from '../../../orchestrator/api/saga-view.js';
import type { SagaRecord } from '../../../orchestrator/engine/index.js';
import { traceIdOf } from '../../../orchestrator/store/index.js';
import { orderSaga } from '../../../sagas/order/index.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const record: SagaRecord = {
  id: 'o-1',
  type: 'order',
  definitionVersion: orderSaga.version,
  revision: 2,
  status: 'running',
  state: 'reserveInventory',
  snapshot: { status: 'active', value: 'reserveInventory', context: {} },
  pending: [],
  timers: [],
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_001_000,
};
const noHistory = { entries: [], total: 0, dropped: 0 };
const engine = { definitionOf: () => orderSaga };

describe('API: the saga view’s trace id', () => {
  it('shows the trace id of the stored trace context, in the view and the summary', () => {
    const traced = { ...record, trace: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } };
    expect(sagaView(engine, traced, noHistory, { offset: 0, limit: 10 }).traceId).to.equal(
      TRACE_ID,
    );
    expect(sagaSummaryView({ ...record, traceId: TRACE_ID }).traceId).to.equal(TRACE_ID);
  });

  it('leaves it out without a trace (tracing off) or with one that is not W3C', () => {
    expect(sagaView(engine, record, noHistory, { offset: 0, limit: 10 })).to.not.have.property(
      'traceId',
    );
    expect(traceIdOf(undefined)).to.equal(undefined);
    expect(traceIdOf({ traceparent: 'garbage' })).to.equal(undefined);
    expect(traceIdOf({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` })).to.equal(
      undefined,
    );
  });
});
