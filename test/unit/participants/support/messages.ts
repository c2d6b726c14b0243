/** Builders of wire messages for the participant tests. */
import { randomUUID } from 'node:crypto';
import type { CommandMessage } from '../../../../wire/contract/index.js';
import type { IncomingMessage } from '../../../../wire/transport/ports.js';

export function command(overrides: Partial<CommandMessage> = {}, now = Date.now()): CommandMessage {
  const sagaId = overrides.sagaId ?? `saga-${randomUUID()}`;
  return {
    commandId: `${sagaId}.step.1`,
    sagaId,
    sagaType: 'order',
    type: 'ReserveItems',
    payload: { orderId: `o-${sagaId}`, items: [{ sku: 'SKU-1', quantity: 1 }] },
    attempt: 1,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    replyTopic: 'test.replies',
    ...overrides,
  };
}

let offset = 0;

export function incoming(
  value: CommandMessage | string,
  options: { key?: string | null; headers?: Record<string, string>; topic?: string } = {},
): IncomingMessage {
  const key =
    options.key !== undefined ? options.key : typeof value === 'string' ? null : value.sagaId;
  return {
    topic: options.topic ?? 'test.inventory.commands',
    partition: 0,
    offset: String(offset++),
    key,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: options.headers ?? {},
    timestamp: 0,
  };
}
