/**
 * The records of the transport-limit loops: the order saga's three commands and their replies,
 * shaped like the real ones (same fields, same headers, about the same bytes), keyed by saga id.
 */
import { randomUUID } from 'node:crypto';
import { CONTRACT_VERSION, HEADERS, topicNames } from '../../wire/contract/index.js';
import { orderInput } from '../load/order-input.js';
import type { RawMessage } from './raw-kafka.js';

/** The three steps of the order saga: participant and command type. */
export const RAW_STEPS = [
  { participant: 'inventory', command: 'ReserveItems' },
  { participant: 'payment', command: 'AuthorizePayment' },
  { participant: 'shipping', command: 'ConfirmOrder' },
] as const;

export function commandRecord(topicPrefix: string, sagaId: string, step: number): RawMessage {
  const topics = topicNames(topicPrefix);
  const { participant, command } = RAW_STEPS[step] ?? RAW_STEPS[0];
  const commandId = randomUUID();
  const now = Date.now();
  const input = orderInput(sagaId);
  const value = JSON.stringify({
    commandId,
    sagaId,
    sagaType: 'order',
    type: command,
    payload: { orderId: input.orderId, customerId: input.customerId, items: input.items },
    attempt: 1,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 10_000).toISOString(),
    replyTopic: topics.replies,
  });
  return {
    topic: topics.commands(participant),
    key: sagaId,
    value,
    headers: {
      [HEADERS.contractVersion]: String(CONTRACT_VERSION),
      [HEADERS.sagaId]: sagaId,
      [HEADERS.sagaType]: 'order',
      [HEADERS.commandId]: commandId,
      [HEADERS.messageType]: command,
    },
  };
}

/** The success reply to a command, built from the command's value as a participant would. */
export function replyRecord(commandValue: Buffer): RawMessage {
  const command = JSON.parse(commandValue.toString('utf8')) as {
    commandId: string;
    sagaId: string;
    sagaType: string;
    type: string;
    replyTopic: string;
  };
  return {
    topic: command.replyTopic,
    key: command.sagaId,
    value: JSON.stringify({
      commandId: command.commandId,
      sagaId: command.sagaId,
      type: command.type,
      outcome: 'success',
    }),
    headers: {
      [HEADERS.contractVersion]: String(CONTRACT_VERSION),
      [HEADERS.sagaId]: command.sagaId,
      [HEADERS.sagaType]: command.sagaType,
      [HEADERS.commandId]: command.commandId,
      [HEADERS.messageType]: command.type,
    },
  };
}
