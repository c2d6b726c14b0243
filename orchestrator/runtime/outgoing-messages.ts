/**
 * Turns the engine's command and lifecycle effects into wire messages (contract v1), ready to be
 * stored in the outbox in the same atomic write as the step that produced them.
 */
import {
  CONTRACT_VERSION,
  HEADERS,
  type TopicNames,
  type CommandMessage,
  type LifecycleEventMessage,
  type SagaStatus,
} from '../../wire/contract/index.js';
import {
  STEP_LIFECYCLE_EVENTS,
  type CommandEffect,
  type Effect,
  type LifecycleEffect,
  type SagaRecord,
} from '../engine/index.js';
import type { MessageHeaders, OutgoingMessage } from '../../wire/transport/index.js';

/** Adds trace context (W3C `traceparent`, `tracestate`) to a message's headers; none by default. */
export type TraceHeaders = (
  record: SagaRecord,
  effect: CommandEffect | LifecycleEffect,
) => MessageHeaders;

/**
 * Which lifecycle events go to `<prefix>.events` (`SAGA_LIFECYCLE_EVENTS`):
 * - `saga`: the saga's own (started, completed, compensated, failed, parked, cancelled, resumed)
 *   and a definition's `emit()`s — two records for a saga that completes;
 * - `steps`: those and every step and compensation event (started, succeeded, failed, timed out);
 * - `none`: nothing.
 *
 * Whatever is not published is still in the saga's history.
 */
export type LifecycleEventLevel = 'saga' | 'steps' | 'none';

export const LIFECYCLE_EVENT_LEVELS: readonly LifecycleEventLevel[] = ['saga', 'steps', 'none'];

/** The one default of the lifecycle-events setting, wherever it is left out. */
export const DEFAULT_LIFECYCLE_EVENT_LEVEL: LifecycleEventLevel = 'saga';

export interface OutgoingMessageOptions {
  topics: TopicNames;
  /** Which lifecycle events are published. @default DEFAULT_LIFECYCLE_EVENT_LEVEL (`'saga'`) */
  lifecycleEvents?: LifecycleEventLevel;
  traceHeaders?: TraceHeaders;
}

/** Whether an event of this name is published at this level. */
export function publishesLifecycleEvent(level: LifecycleEventLevel, event: string): boolean {
  if (level === 'none') return false;
  return level === 'steps' || !STEP_LIFECYCLE_EVENTS.has(event);
}

const iso = (ms: number) => new Date(ms).toISOString();

export function commandMessage(effect: CommandEffect, replyTopic: string): CommandMessage {
  return {
    commandId: effect.commandId,
    sagaId: effect.sagaId,
    sagaType: effect.sagaType,
    type: effect.command,
    payload: effect.payload,
    attempt: effect.attempt,
    issuedAt: iso(effect.issuedAt),
    expiresAt: iso(effect.expiresAt),
    replyTopic,
  };
}

export function lifecycleMessage(
  record: SagaRecord,
  effect: LifecycleEffect,
  status: SagaStatus,
): LifecycleEventMessage {
  return {
    sagaId: record.id,
    sagaType: record.type,
    version: record.definitionVersion,
    event: effect.event,
    status,
    state: record.state,
    at: iso(record.updatedAt),
    data: effect.data,
  };
}

/** The outbox messages for one applied step, in the order the statechart produced them. */
export function outgoingMessages(
  record: SagaRecord,
  effects: readonly Effect[],
  options: OutgoingMessageOptions,
): OutgoingMessage[] {
  const { topics, lifecycleEvents: level = DEFAULT_LIFECYCLE_EVENT_LEVEL, traceHeaders } = options;
  const messages: OutgoingMessage[] = [];
  for (const effect of effects) {
    if (effect.type === 'command') {
      messages.push({
        topic: topics.commands(effect.participant),
        key: record.id,
        value: JSON.stringify(commandMessage(effect, topics.replies)),
        headers: {
          [HEADERS.contractVersion]: String(CONTRACT_VERSION),
          [HEADERS.sagaId]: record.id,
          [HEADERS.sagaType]: record.type,
          [HEADERS.commandId]: effect.commandId,
          [HEADERS.messageType]: effect.command,
          ...traceHeaders?.(record, effect),
        },
      });
    } else if (effect.type === 'lifecycle' && publishesLifecycleEvent(level, effect.event)) {
      messages.push({
        topic: topics.events,
        key: record.id,
        value: JSON.stringify(lifecycleMessage(record, effect, record.status)),
        headers: {
          [HEADERS.contractVersion]: String(CONTRACT_VERSION),
          [HEADERS.sagaId]: record.id,
          [HEADERS.sagaType]: record.type,
          [HEADERS.messageType]: effect.event,
          ...traceHeaders?.(record, effect),
        },
      });
    }
  }
  return messages;
}
