/**
 * Consumes `<prefix>.replies`: every participant's replies. A whole batch is validated, applied
 * through the saga event applier (one pipelined load and one pipelined commit for the batch), and only
 * then does the subscriber commit the offsets — so a crash re-delivers replies whose steps may not
 * be written, and replies that were applied are ignored the second time (their commandId is no
 * longer pending: guarantee 2).
 *
 * Nothing blocks the partition: a malformed reply, a reply for a saga nobody knows, or one the
 * engine cannot run goes to the dead-letter topic with the reason, and the batch moves on.
 */
import {
  DLQ_ERROR_CODES,
  HEADERS,
  parseReply,
  replyHeadersProblem,
} from '../../wire/contract/index.js';
import {
  type DeadLetterEntry,
  type BatchHandler,
  type IncomingMessage,
} from '../../wire/transport/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { ApplyOutcome, SagaEventItem } from './saga-event-applier.js';

export interface ReplyConsumerOptions {
  applyBatch: (items: readonly SagaEventItem[]) => Promise<ApplyOutcome[]>;
  deadLetterAll: (entries: readonly DeadLetterEntry[]) => Promise<void>;
  logger: Logger;
  hooks?: RuntimeHooks;
}

/** The subscriber's batch handler for the replies topic. */
export function createReplyHandler(options: ReplyConsumerOptions): BatchHandler {
  const { applyBatch, deadLetterAll, logger, hooks } = options;
  return async (messages) => {
    const dead: DeadLetterEntry[] = [];
    const items: SagaEventItem[] = [];
    const sources: IncomingMessage[] = [];
    for (const message of messages) {
      const parsed = parseReply(message.value);
      if (!parsed.ok) {
        dead.push({ message, reason: { code: parsed.code, reason: parsed.reason } });
        continue;
      }
      const reply = parsed.value;
      const disagreement = replyHeadersProblem(message.headers, reply);
      if (disagreement) {
        dead.push({ message, reason: { code: DLQ_ERROR_CODES.invalid, reason: disagreement } });
        continue;
      }
      if (message.key !== null && message.key !== reply.sagaId) {
        // The key decides the partition, and so the order of a saga's replies; a participant
        // that keys by something else breaks that order. Apply it anyway, but say so.
        logger.warn('reply keyed by something other than its sagaId', {
          key: message.key,
          sagaId: reply.sagaId,
          topic: message.topic,
        });
      }
      const sagaType = message.headers[HEADERS.sagaType];
      items.push({
        sagaId: reply.sagaId,
        event: { kind: 'reply', reply },
        headers: message.headers,
        ...(sagaType !== undefined ? { sagaType } : {}),
      });
      sources.push(message);
    }

    const outcomes = items.length > 0 ? await applyBatch(items) : [];
    outcomes.forEach((outcome, index) => {
      const message = sources[index];
      const item = items[index];
      if (!message || !item) return;
      if (outcome.status === 'unknown-saga') {
        dead.push({
          message,
          reason: { code: DLQ_ERROR_CODES.unknown, reason: `no saga "${item.sagaId}"` },
        });
      } else if (outcome.status === 'error') {
        logger.error('a reply could not be applied to its saga; dead-lettered', {
          sagaId: item.sagaId,
          code: outcome.code,
          error: outcome.error,
        });
        dead.push({ message, reason: { code: outcome.code, reason: outcome.error.message } });
      }
    });

    if (dead.length > 0) {
      await deadLetterAll(dead);
      for (const entry of dead) {
        hooks?.deadLettered?.({
          source: 'orchestrator.replies',
          topic: entry.message.topic,
          code: entry.reason.code,
        });
      }
      logger.warn('replies dead-lettered', {
        count: dead.length,
        reasons: [...new Set(dead.map((d) => d.reason.reason))].slice(0, 5),
      });
    }
  };
}
