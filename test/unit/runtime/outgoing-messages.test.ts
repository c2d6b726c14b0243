import { expect } from 'chai';
import { parseCommand, parseLifecycleEvent, topicNames } from '../../../wire/contract/index.js';
import type { Effect, SagaRecord } from '../../../orchestrator/engine/types.js';
import { outgoingMessages } from '../../../orchestrator/runtime/outgoing-messages.js';
import { resolveSagaId, sagaIdForKey } from '../../../orchestrator/runtime/saga-ids.js';

const record: SagaRecord = {
  id: 'order-1',
  type: 'order',
  definitionVersion: '1',
  revision: 2,
  status: 'running',
  state: 'reserveInventory.attempt',
  snapshot: {},
  pending: [],
  timers: [],
  createdAt: Date.UTC(2026, 10, 26, 10),
  updatedAt: Date.UTC(2026, 10, 26, 10, 0, 1),
};

const effects: Effect[] = [
  {
    type: 'command',
    commandId: 'order-1.reserveInventory.1',
    sagaId: 'order-1',
    sagaType: 'order',
    participant: 'inventory',
    command: 'ReserveItems',
    step: 'reserveInventory',
    kind: 'action',
    payload: { orderId: 'o-1' },
    attempt: 1,
    issuedAt: Date.UTC(2026, 10, 26, 10, 0, 1),
    expiresAt: Date.UTC(2026, 10, 26, 10, 0, 6),
  },
  { type: 'lifecycle', event: 'StepStarted', data: { step: 'reserveInventory' } },
];

describe('outgoing messages from effects', () => {
  it('builds contract-valid commands and lifecycle events keyed by saga id', () => {
    const messages = outgoingMessages(record, effects, {
      topics: topicNames('shop'),
      lifecycleEvents: 'steps',
    });
    expect(messages.map((m) => m.topic)).to.deep.equal(['shop.inventory.commands', 'shop.events']);
    expect(messages.every((m) => m.key === 'order-1')).to.equal(true);
    const command = parseCommand(messages[0]?.value);
    expect(command.ok, JSON.stringify(command)).to.equal(true);
    if (command.ok) {
      expect(command.value).to.include({
        type: 'ReserveItems',
        replyTopic: 'shop.replies',
        expiresAt: '2026-11-26T10:00:06.000Z',
      });
    }
    expect(messages[0]?.headers).to.include({
      'saga-command-id': 'order-1.reserveInventory.1',
      'saga-contract-version': '1',
    });
    const event = parseLifecycleEvent(messages[1]?.value);
    expect(event.ok, JSON.stringify(event)).to.equal(true);
    if (event.ok) expect(event.value).to.include({ event: 'StepStarted', version: '1' });
  });

  it('leaves lifecycle events out when asked, and adds trace headers when given', () => {
    const messages = outgoingMessages(record, effects, {
      topics: topicNames(),
      lifecycleEvents: 'none',
      traceHeaders: () => ({ traceparent: '00-abc-def-01' }),
    });
    expect(messages).to.have.length(1);
    expect(messages[0]?.headers).to.include({ traceparent: '00-abc-def-01' });
  });
});

describe('saga ids', () => {
  it('derives the same id from the same type and idempotency key, and different ones otherwise', () => {
    expect(sagaIdForKey('order', 'k1')).to.equal(sagaIdForKey('order', 'k1'));
    expect(sagaIdForKey('order', 'k1')).to.not.equal(sagaIdForKey('order', 'k2'));
    expect(sagaIdForKey('order', 'k1')).to.not.equal(sagaIdForKey('refund', 'k1'));
    expect(sagaIdForKey('order', 'k1')).to.match(/^order-[0-9a-f]{32}$/);
  });

  it('prefers the caller id, then the key, then a fresh id', () => {
    expect(resolveSagaId({ type: 'order', id: 'mine', idempotencyKey: 'k' })).to.equal('mine');
    expect(resolveSagaId({ type: 'order', idempotencyKey: 'k' })).to.equal(
      sagaIdForKey('order', 'k'),
    );
    const a = resolveSagaId({ type: 'order' });
    const b = resolveSagaId({ type: 'order' });
    expect(a).to.not.equal(b);
  });
});
