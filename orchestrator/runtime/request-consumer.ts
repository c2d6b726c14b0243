/**
 * Consumes `<prefix>.requests`: start requests from other services, the asynchronous twin of
 * `POST /v1/sagas`. A request with an idempotency key (or an id) starts its saga once, however
 * often it is delivered. Requests that cannot start a saga — malformed, unknown type, invalid
 * input, a bad id, an input the definition throws on or the store refuses — go to the
 * dead-letter topic with the reason; only a failure of Redis or Kafka rejects the batch (retried).
 */
import {
  DLQ_ERROR_CODES,
  type StartRequestMessage,
  parseStartRequest,
} from '../../wire/contract/index.js';
import {
  type DeadLetterEntry,
  type BatchHandler,
  type MessageHeaders,
} from '../../wire/transport/index.js';
import type { Logger } from '../../wire/telemetry/index.js';
import type { RuntimeHooks } from '../telemetry/index.js';
import type { StartOutcome } from './saga-event-applier.js';

export interface RequestConsumerOptions {
  startSaga: (request: StartRequestMessage, headers?: MessageHeaders) => Promise<StartOutcome>;
  deadLetterAll: (entries: readonly DeadLetterEntry[]) => Promise<void>;
  logger: Logger;
  hooks?: RuntimeHooks;
}

export function createRequestHandler(options: RequestConsumerOptions): BatchHandler {
  const { startSaga, deadLetterAll, logger, hooks } = options;
  return async (messages) => {
    const dead: DeadLetterEntry[] = [];
    // Starts of different sagas are independent, so a batch starts them all at once; two
    // deliveries of the same request meet in the store's create-if-absent.
    await Promise.all(
      messages.map(async (message) => {
        const parsed = parseStartRequest(message.value);
        if (!parsed.ok) {
          dead.push({ message, reason: { code: parsed.code, reason: parsed.reason } });
          return;
        }
        const outcome = await startSaga(parsed.value, message.headers);
        if (outcome.status === 'rejected') {
          const code =
            outcome.code === 'UNKNOWN_TYPE' ? DLQ_ERROR_CODES.unknown : DLQ_ERROR_CODES.invalid;
          dead.push({ message, reason: { code, reason: outcome.message } });
        } else if (outcome.status === 'error') {
          logger.error('a start request could not start its saga; dead-lettered', {
            type: parsed.value.type,
            error: outcome.error,
          });
          dead.push({
            message,
            reason: {
              code: outcome.code,
              reason: `a ${parsed.value.type} saga cannot start with this request: ${outcome.error.message}`,
            },
          });
        }
      }),
    );
    if (dead.length > 0) {
      await deadLetterAll(dead);
      for (const entry of dead) {
        hooks?.deadLettered?.({
          source: 'orchestrator.requests',
          topic: entry.message.topic,
          code: entry.reason.code,
        });
      }
      logger.warn('start requests dead-lettered', {
        count: dead.length,
        reasons: [...new Set(dead.map((d) => d.reason.reason))].slice(0, 5),
      });
    }
  };
}
