/**
 * Runs a participant's command pipeline in-process against real Redis, without Kafka: each call
 * is one delivery of a command, as the SDK would process it off the command topic. For tests of
 * the handlers' state logic; the Kafka path has its own tests.
 */
import type { Redis } from 'ioredis';
import {
  parseReply,
  type CommandMessage,
  type ReplyMessage,
} from '../../../../wire/contract/index.js';
import {
  commandProcessor,
  type Processed,
} from '../../../../participants/sdk/command-processor.js';
import {
  compileParticipantOptions,
  silentLogger,
  systemClock,
  type Clock,
  type ParticipantDefinition,
  type RetryOptions,
} from '../../../../participants/sdk/index.js';
import { participantMetrics } from '../../../../participants/sdk/participant-metrics.js';

export interface Driver {
  deliver(command: CommandMessage): Promise<Processed>;
  /** Delivers and returns the reply (fails when there is none). */
  reply(command: CommandMessage): Promise<ReplyMessage>;
}

export function driveParticipant(
  definition: ParticipantDefinition,
  options: { redis: Redis; ledgerKeyPrefix: string; clock?: Clock; retry?: RetryOptions },
): Driver {
  const compiled = compileParticipantOptions(definition, {
    transport: {
      publisher: { publish: async () => {}, close: async () => {} },
      subscriber: () => {
        throw new Error('driven in-process: no subscriber');
      },
    },
    redis: options.redis,
    ledgerKeyPrefix: options.ledgerKeyPrefix,
    clock: options.clock ?? systemClock,
    logger: silentLogger,
    retry: options.retry ?? { initialBackoffMs: 1 },
  });
  const processor = commandProcessor({
    definition,
    options: compiled,
    metrics: participantMetrics(definition.name),
    stopping: new AbortController().signal,
  });
  let offset = 0;
  const deliver = (command: CommandMessage) =>
    processor.process({
      topic: compiled.commandTopic,
      partition: 0,
      offset: String(offset++),
      key: command.sagaId,
      value: Buffer.from(JSON.stringify(command)),
      headers: {},
      timestamp: 0,
    });
  return {
    deliver,
    async reply(command) {
      const processed = await deliver(command);
      const value = processed.outgoing[0]?.value;
      const parsed = parseReply(value);
      if (!parsed.ok) {
        throw new Error(`no reply (${JSON.stringify(processed.disposition)}): ${parsed.reason}`);
      }
      return parsed.value;
    },
  };
}

let sequence = 0;

/** A fresh, valid command for `type` with `payload`, expiring in a minute. */
export function orderCommand(
  type: string,
  payload: Record<string, unknown>,
  overrides: Partial<CommandMessage> = {},
): CommandMessage {
  const sagaId = overrides.sagaId ?? `saga-${process.pid}-${++sequence}`;
  const now = Date.now();
  return {
    commandId: `${sagaId}.${type}.${++sequence}`,
    sagaId,
    sagaType: 'order',
    type,
    payload,
    attempt: 1,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    replyTopic: 'saga.replies',
    ...overrides,
  };
}
