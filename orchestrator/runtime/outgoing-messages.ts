/**
 * Turns the engine's command and lifecycle effects into wire messages (contract v1), ready to be
 * stored in the outbox in the same atomic write as the step that produced them.
 */
import { CONTRACT_VERSION, HEADERS, type TopicNames } from '../contract/index.js';
import type { CommandMessage, LifecycleEventMessage, SagaStatus } from '../contract/messages.js';
import type { CommandEffect, Effect, LifecycleEffect, SagaRecord } from '../engine/types.js';
import type { MessageHeaders, OutgoingMessage } from '../transport/ports.js';

/** Adds trace context (W3C `traceparent`, `tracestate`) to a message's headers; none by default. */
export type TraceHeaders = (
  record: SagaRecord,
  effect: CommandEffect | LifecycleEffect,
) => MessageHeaders;

export interface OutgoingMessageOptions {
  topics: TopicNames;
  /** When false, lifecycle effects are not published (they still are in the saga's history). */
  publishLifecycleEvents?: boolean;
  traceHeaders?: TraceHeaders;
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
  const { topics, publishLifecycleEvents = true, traceHeaders } = options;
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
    } else if (effect.type === 'lifecycle' && publishLifecycleEvents) {
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
