import { expect } from 'chai';
import { createEngine } from '../../../orchestrator/engine/create-engine.js';
import { successReply } from '../../../orchestrator/engine/testing/simulator.js';
import type { SagaRecord } from '../../../orchestrator/engine/types.js';
import {
  RECORD_FIELDS,
  recordFromValues,
  recordToFields,
} from '../../../orchestrator/store/record-codec.js';
import orderSaga from '../../../sagas/order/index.js';
import { order } from './drive-saga.js';

const trace = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=x',
};

function roundTrip(record: SagaRecord): SagaRecord | undefined {
  const fields = recordToFields(record);
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return recordFromValues(
    record.id,
    RECORD_FIELDS.map((field) => map.get(field) ?? null),
  );
}

describe('telemetry: what a saga record keeps for telemetry', () => {
  const engine = createEngine([orderSaga]);

  it('keeps the trace from the start on every later record, and the time the state was entered', () => {
    const started = engine.start('order', { sagaId: 's-1', input: order, now: 1000, trace });
    if (started.outcome !== 'applied') throw new Error('not started');
    expect(started.record.trace).to.deep.equal(trace);
    expect(started.record.stateEnteredAt).to.equal(1000);

    const reserve = started.record.pending[0];
    if (!reserve) throw new Error('no command');
    const next = engine.apply(
      started.record,
      { kind: 'reply', reply: successReply(reserve, 's-1') },
      1500,
    );
    if (next.outcome !== 'applied') throw new Error('not applied');
    expect(next.record.trace).to.deep.equal(trace);
    expect(next.record.state).not.to.equal(started.record.state);
    expect(next.record.stateEnteredAt).to.equal(1500);

    const cancelled = engine.apply(
      next.record,
      { kind: 'signal', event: { type: 'saga.cancel' } },
      1700,
    );
    if (cancelled.outcome !== 'applied') throw new Error('cancel not applied');
    expect(cancelled.record.trace).to.deep.equal(trace);
  });

  it('starts without a trace when none is given (tracing off)', () => {
    const started = engine.start('order', { sagaId: 's-2', input: order, now: 1000 });
    if (started.outcome !== 'applied') throw new Error('not started');
    expect(started.record).not.to.have.property('trace');
  });

  it('round-trips trace and stateEnteredAt through the store codec, and reads records without them', () => {
    const started = engine.start('order', { sagaId: 's-3', input: order, now: 1000, trace });
    if (started.outcome !== 'applied') throw new Error('not started');
    expect(roundTrip(started.record)).to.deep.equal(started.record);

    const { trace: _t, stateEnteredAt: _s, ...older } = started.record;
    const decoded = roundTrip(older);
    expect(decoded).not.to.have.property('trace');
    expect(decoded).not.to.have.property('stateEnteredAt');
    expect(decoded).to.deep.equal(older);
  });
});
