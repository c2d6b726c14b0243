import { expect } from 'chai';
import { bothHooks } from '../../../orchestrator/service/index.js';

describe('bothHooks (the telemetry hooks and a caller’s, in one orchestrator service)', () => {
  it('calls both, the first one first, and keeps a hook only one of them has', () => {
    const calls: string[] = [];
    const hooks = bothHooks(
      { outboxPublished: () => calls.push('telemetry'), timerClaimed: () => calls.push('timer') },
      { outboxPublished: () => calls.push('caller') },
    );
    hooks?.outboxPublished?.({ shard: 0, count: 1, latenciesMs: [] });
    hooks?.timerClaimed?.({ shard: 0, dueAt: 0, claimedAt: 0 });
    expect(calls).to.deep.equal(['telemetry', 'caller', 'timer']);
  });

  it('answers with the first hook’s answer, the second’s when the first has none', () => {
    const trace = { traceparent: '00-a-b-01' };
    const start = { sagaId: 's', sagaType: 'order' };
    const first = bothHooks({ sagaTrace: () => undefined }, { sagaTrace: () => trace });
    expect(first?.sagaTrace?.(start)).to.equal(trace);
    const second = bothHooks({ sagaTrace: () => trace }, { sagaTrace: () => undefined });
    expect(second?.sagaTrace?.(start)).to.equal(trace);
  });

  it('is undefined when neither side has hooks', () => {
    expect(bothHooks(undefined, undefined)).to.equal(undefined);
  });
});
