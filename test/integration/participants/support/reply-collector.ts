/**
 * Reads a replies (or DLQ) topic from the beginning on the test side and lets a test wait for
 * what it expects: the n-th reply to a command id, or a number of messages. Every reply is
 * validated with the contract's `parseReply` on the way in.
 */
import type { Consumer, IHeaders } from 'kafkajs';
import { parseReply, type ReplyMessage } from '../../../../wire/contract/index.js';
import { eventually } from '../../../support/eventually.js';
import { groupJoined, type TestInfra } from '../../../support/infra.js';

export interface ReceivedMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

export interface ReceivedReply extends ReceivedMessage {
  reply: ReplyMessage;
}

export interface TopicCollector {
  readonly messages: ReceivedMessage[];
  /** Resolves once `count` messages arrived (rejects after `timeoutMs`). */
  waitForCount(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
}

export interface ReplyCollector extends TopicCollector {
  /** Replies that did not validate against the reply schema (must stay empty). */
  readonly invalid: string[];
  repliesTo(commandId: string): ReceivedReply[];
  /** Resolves with the `n`-th reply (1-based) to `commandId`. */
  waitForReply(commandId: string, n?: number, timeoutMs?: number): Promise<ReceivedReply>;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

async function collect(
  infra: TestInfra,
  topic: string,
  onMessage: (message: ReceivedMessage) => void,
): Promise<Consumer> {
  const consumer = await infra.consumer();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = groupJoined(consumer);
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      onMessage({
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
        headers: headersOf(message.headers),
        partition,
      });
    },
  });
  await joined;
  return consumer;
}

/** Collected messages are in memory: polling them often costs nothing. */
const COLLECTED_POLL_MS = 20;

export async function collectTopic(infra: TestInfra, topic: string): Promise<TopicCollector> {
  const messages: ReceivedMessage[] = [];
  await collect(infra, topic, (message) => {
    messages.push(message);
  });
  return {
    messages,
    waitForCount: (count, timeoutMs = 60_000) =>
      eventually(
        `${count} message(s) on ${topic} (have ${messages.length})`,
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        timeoutMs,
        COLLECTED_POLL_MS,
      ),
  };
}

export async function collectReplies(infra: TestInfra, topic: string): Promise<ReplyCollector> {
  const messages: ReceivedMessage[] = [];
  const invalid: string[] = [];
  const byCommand = new Map<string, ReceivedReply[]>();
  await collect(infra, topic, (message) => {
    messages.push(message);
    const parsed = parseReply(message.value);
    if (!parsed.ok) {
      invalid.push(`${parsed.reason}: ${message.value}`);
    } else {
      const list = byCommand.get(parsed.value.commandId) ?? [];
      list.push({ ...message, reply: parsed.value });
      byCommand.set(parsed.value.commandId, list);
    }
  });
  return {
    messages,
    invalid,
    repliesTo: (commandId) => byCommand.get(commandId) ?? [],
    waitForCount: (count, timeoutMs = 60_000) =>
      eventually(
        `${count} reply(ies) on ${topic} (have ${messages.length})`,
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        timeoutMs,
        COLLECTED_POLL_MS,
      ),
    waitForReply: (commandId, n = 1, timeoutMs = 60_000) =>
      eventually(
        `reply #${n} to ${commandId}`,
        () => byCommand.get(commandId)?.[n - 1],
        timeoutMs,
        COLLECTED_POLL_MS,
      ),
  };
}
