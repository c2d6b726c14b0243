/**
 * Reads a replies (or DLQ) topic from the beginning on the test side and lets a test wait for
 * what it expects: the n-th reply to a command id, or a number of messages. Every reply is
 * validated with the contract's `parseReply` on the way in.
 */
import type { Consumer, IHeaders } from 'kafkajs';
import { parseReply, type ReplyMessage } from '../../../../wire/contract/index.js';
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

/** A waiter list: each check runs after every message. */
function waiters() {
  const pending = new Set<() => boolean>();
  return {
    notify: () => pending.forEach((check) => check() && pending.delete(check)),
    wait<T>(ready: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        const check = () => {
          const value = ready();
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        };
        if (!check()) pending.add(check);
      });
    },
  };
}

export async function collectTopic(infra: TestInfra, topic: string): Promise<TopicCollector> {
  const messages: ReceivedMessage[] = [];
  const wait = waiters();
  await collect(infra, topic, (message) => {
    messages.push(message);
    wait.notify();
  });
  return {
    messages,
    waitForCount: (count, timeoutMs = 60_000) =>
      wait.wait(
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        `${count} message(s) on ${topic} (have ${messages.length})`,
        timeoutMs,
      ),
  };
}

export async function collectReplies(infra: TestInfra, topic: string): Promise<ReplyCollector> {
  const messages: ReceivedMessage[] = [];
  const invalid: string[] = [];
  const byCommand = new Map<string, ReceivedReply[]>();
  const wait = waiters();
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
    wait.notify();
  });
  return {
    messages,
    invalid,
    repliesTo: (commandId) => byCommand.get(commandId) ?? [],
    waitForCount: (count, timeoutMs = 60_000) =>
      wait.wait(
        () => (messages.length >= count ? messages.slice(0, count) : undefined),
        `${count} reply(ies) on ${topic} (have ${messages.length})`,
        timeoutMs,
      ),
    waitForReply: (commandId, n = 1, timeoutMs = 60_000) =>
      wait.wait(() => byCommand.get(commandId)?.[n - 1], `reply #${n} to ${commandId}`, timeoutMs),
  };
}
