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
import {
  DEFAULT_LIFECYCLE_EVENT_LEVEL,
  type LifecycleEventLevel,
} from '../../wire/contract/index.js';

export {
  DEFAULT_LIFECYCLE_EVENT_LEVEL,
  LIFECYCLE_EVENT_LEVELS,
  type LifecycleEventLevel,
} from '../../wire/contract/index.js';

/** Adds trace context (W3C `traceparent`, `tracestate`) to a message's headers; none by default. */
export type TraceHeaders = (
  record: SagaRecord,
  effect: CommandEffect | LifecycleEffect,
) => MessageHeaders;

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
