import { expect } from 'chai';
import { loadOrchestratorConfig, ConfigError } from '../../../orchestrator/config/index.js';
import { topicNames } from '../../../wire/contract/index.js';
import type { Effect, SagaRecord } from '../../../orchestrator/engine/types.js';
import { tuningDefaults } from '../../../orchestrator/runtime/orchestrator-options.js';
import {
  outgoingMessages,
  publishesLifecycleEvent,
} from '../../../orchestrator/runtime/outgoing-messages.js';

const record: SagaRecord = {
  id: 'order-1',
  type: 'order',
  definitionVersion: '1',
  revision: 4,
  status: 'completed',
  state: 'completed',
  snapshot: {},
  pending: [],
  timers: [],
  createdAt: Date.UTC(2026, 10, 26, 10),
  updatedAt: Date.UTC(2026, 10, 26, 10, 0, 1),
};

const lifecycle = (event: string): Effect => ({ type: 'lifecycle', event, data: {} });

const effects: Effect[] = [
  lifecycle('StepSucceeded'),
  lifecycle('CompensationTimedOut'),
  lifecycle('OrderShipped'), // a definition's own emit()
  lifecycle('SagaCompleted'),
];

const published = (level: 'saga' | 'steps' | 'none') =>
  outgoingMessages(record, effects, { topics: topicNames(), lifecycleEvents: level }).map(
    (message) => (JSON.parse(message.value as string) as { event: string }).event,
  );

describe('lifecycle event levels (SAGA_LIFECYCLE_EVENTS)', () => {
  it('publishes the saga’s own events and definitions’ emits at "saga", everything at "steps"', () => {
    expect(published('saga')).to.deep.equal(['OrderShipped', 'SagaCompleted']);
    expect(published('steps')).to.deep.equal([
      'StepSucceeded',
      'CompensationTimedOut',
      'OrderShipped',
      'SagaCompleted',
    ]);
    expect(published('none')).to.deep.equal([]);
  });

  it('classifies every step and compensation event as a step event', () => {
    for (const event of ['StepStarted', 'StepFailed', 'StepTimedOut', 'CompensationStarted']) {
      expect(publishesLifecycleEvent('saga', event), event).to.equal(false);
      expect(publishesLifecycleEvent('steps', event), event).to.equal(true);
    }
    for (const event of ['SagaStarted', 'SagaParked', 'SagaResumed', 'SagaCancelled']) {
      expect(publishesLifecycleEvent('saga', event), event).to.equal(true);
    }
  });

  it('has one default, "saga", for the orchestrator and for the outbox messages alike', () => {
    expect(tuningDefaults().lifecycleEvents).to.equal('saga');
    expect(tuningDefaults({ lifecycleEvents: 'steps' }).lifecycleEvents).to.equal('steps');
    const byDefault = outgoingMessages(record, effects, { topics: topicNames() }).map(
      (message) => (JSON.parse(message.value as string) as { event: string }).event,
    );
    expect(byDefault).to.deep.equal(published('saga'));
  });

  it('reads SAGA_LIFECYCLE_EVENTS from the environment and rejects other values', () => {
    const minimal = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadOrchestratorConfig(minimal).lifecycleEvents).to.equal('saga');
    expect(
      loadOrchestratorConfig({ ...minimal, SAGA_LIFECYCLE_EVENTS: 'steps' }).lifecycleEvents,
    ).to.equal('steps');
    expect(() => loadOrchestratorConfig({ ...minimal, SAGA_LIFECYCLE_EVENTS: 'all' })).to.throw(
      ConfigError,
      /SAGA_LIFECYCLE_EVENTS/,
    );
  });
});
