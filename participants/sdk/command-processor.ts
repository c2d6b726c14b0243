/**
 * One command, from raw message to what must be published for it: validate (dead-letter what is
 * not a command this participant knows), drop it when expired, claim it in the ledger (or re-send
 * the recorded reply of a duplicate), run the handler with bounded retries, record the result, and
 * build the reply. Infrastructure failures (ledger unreachable) reject, so the batch is delivered
 * again; everything about the message itself resolves, so the partition moves on.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import {
  CONTRACT_VERSION,
  describeErrors,
  DLQ_ERROR_CODES,
  HEADERS,
  parseCommand,
  type CommandMessage,
} from '../../wire/contract/index.js';
import {
  deadLetterMessage,
  type DeadLetterReason,
  type IncomingMessage,
  type OutgoingMessage,
} from '../../wire/transport/index.js';
import { encodeResult, type RecordedResult } from './command-ledger.js';
import { replyFor, successResult } from './command-results.js';
import { compileHandlers, type CompiledHandler } from './compile-handlers.js';
import type { HandlerContext, ParticipantDefinition } from './define-participant.js';
import { describeHandlerError } from './errors.js';
import type { CompiledParticipantOptions } from './participant-options.js';
import type { ParticipantMetrics } from './participant-metrics.js';
import {
  commandSpanName,
  PARTICIPANT_ATTRIBUTES as A,
  PARTICIPANT_SCOPE,
} from './telemetry-names.js';
import { extractTraceContext, traceHeadersFor } from './trace-context.js';

/** What became of one message. */
export type Disposition =
  | { kind: 'replied'; outcome: 'success' | 'failure'; duplicate: boolean }
  | { kind: 'dead-lettered'; code: string }
  | { kind: 'expired' }
  /** Another live delivery kept the claim past every wait: that delivery replies. */
  | { kind: 'left-to-other-delivery' };

export interface Processed {
  disposition: Disposition;
  outgoing: OutgoingMessage[];
}

export interface CommandProcessor {
  process(message: IncomingMessage): Promise<Processed>;
}

export interface CommandProcessorDeps {
  definition: ParticipantDefinition;
  options: CompiledParticipantOptions;
  metrics: ParticipantMetrics;
  /** Aborted when the participant stops: back-offs end early and retries stop. */
  stopping: AbortSignal;
}

type Execution =
  | { kind: 'result'; result: RecordedResult; duplicate: boolean }
  | { kind: 'expired' }
  | { kind: 'left-to-other-delivery' };

const EXPIRED: unique symbol = Symbol('expired');

/** How often a delivery that finds the command claimed by another looks again. */
const BUSY_POLL_MS = 100;

/**
 * The reason of the per-command aborts that only cancel a wait (the claim's keep-alive, the
 * deadline race). `abort()` without one builds a DOMException, stack trace and all, twice per
 * command: a measurable share of a participant's CPU at low load, for an error nobody reads.
 */
const WAIT_OVER = Object.freeze({ reason: 'wait over' });

export function commandProcessor(deps: CommandProcessorDeps): CommandProcessor {
  const { definition, options, metrics, stopping } = deps;
  // Every back-off, poll and handler wait listens for the stop: one listener per command in flight.
  setMaxListeners(0, stopping);
  const { clock, ledger, logger } = options;
  const tracer: Tracer = options.tracer ?? trace.getTracer(PARTICIPANT_SCOPE);
  const handlers = compileHandlers(definition);
  const source = `participant:${definition.name}`;

  const deadLetter = (message: IncomingMessage, why: DeadLetterReason): Processed => {
    metrics.deadLettered(why.code);
    logger.warn('dead-lettering a message', {
      code: why.code,
      reason: why.reason,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    });
    return {
      disposition: { kind: 'dead-lettered', code: why.code },
      outgoing: [
        deadLetterMessage(message, why, {
          topic: options.topics.dlq,
          source,
          at: new Date(clock.now()),
        }),
      ],
    };
  };

  const isExpired = (command: CommandMessage) => clock.now() >= Date.parse(command.expiresAt);

  const claim = async (command: CommandMessage, owner: string) => {
    const giveUpAt = clock.now() + options.claimLeaseMs + 1000;
    for (;;) {
      const claimed = await ledger.claim(command.commandId, owner, options.claimLeaseMs);
      if (claimed.kind !== 'busy') return claimed;
      if (isExpired(command)) return { kind: 'expired' } as const;
      if (clock.now() >= giveUpAt || stopping.aborted) return { kind: 'busy' } as const;
      await clock.sleep(Math.max(10, Math.min(claimed.leaseLeftMs, BUSY_POLL_MS)), stopping);
    }
  };

  /** Keeps the claim alive while the handler runs; the returned function stops it. */
  const keepClaimAlive = (command: CommandMessage, owner: string) => {
    const done = new AbortController();
    const loop = (async () => {
      while (!done.signal.aborted) {
        await clock.sleep(options.claimLeaseMs / 3, done.signal);
        if (done.signal.aborted) return;
        const ours = await ledger
          .extend(command.commandId, owner, options.claimLeaseMs)
          .catch(() => true);
        if (!ours) {
          logger.warn('claim lost while the handler ran', { commandId: command.commandId });
          return;
        }
      }
    })();
    return async () => {
      done.abort(WAIT_OVER);
      await loop;
    };
  };

  /**
   * Waits for `work`, but not past the command's deadline: the orchestrator has given up by then,
   * and a hung handler must not hold its partition. The work itself cannot be cancelled.
   */
  const untilExpiry = async <T>(
    command: CommandMessage,
    work: Promise<T>,
  ): Promise<T | typeof EXPIRED> => {
    const deadlinePassed = new AbortController();
    const timer: Promise<typeof EXPIRED> = clock
      .sleep(Date.parse(command.expiresAt) - clock.now(), deadlinePassed.signal)
      .then(() => EXPIRED);
    try {
      return await Promise.race([work, timer]);
    } finally {
      deadlinePassed.abort(WAIT_OVER);
    }
  };

  const runHandler = async (
    command: CommandMessage,
    handler: CompiledHandler,
  ): Promise<
    { kind: 'result'; result: RecordedResult } | { kind: 'expired'; stillRunning: boolean }
  > => {
    const { retry } = options;
    const started = clock.now();
    try {
      for (let tryNumber = 1; ; tryNumber++) {
        try {
          const value = await untilExpiry(
            command,
            handler.handle(command.payload, handlerContext(command, tryNumber)),
          );
          if (value === EXPIRED) {
            logger.warn('handler still running at the command deadline: no longer waiting', {
              commandId: command.commandId,
              type: command.type,
            });
            return { kind: 'expired', stillRunning: true };
          }
          return { kind: 'result', result: successResult(value, command.type) };
        } catch (error) {
          const described = describeHandlerError(error);
          const failure: RecordedResult = { outcome: 'failure', error: described };
          if (!described.retryable || tryNumber >= retry.maxTries || stopping.aborted) {
            if (described.retryable) {
              logger.warn('handler failed, retries exhausted', {
                commandId: command.commandId,
                type: command.type,
                error,
              });
            }
            return { kind: 'result', result: failure };
          }
          metrics.retried(command.type);
          const backoff = Math.min(
            retry.maxBackoffMs,
            retry.initialBackoffMs * retry.multiplier ** (tryNumber - 1),
          );
          await clock.sleep(backoff, stopping);
          if (isExpired(command)) return { kind: 'expired', stillRunning: false };
        }
      }
    } finally {
      metrics.handlerDuration(command.type, clock.now() - started);
    }
  };

  const handlerContext = (command: CommandMessage, tryNumber: number): HandlerContext => ({
    participant: definition.name,
    command,
    tryNumber,
    clock,
    logger,
    signal: stopping,
    ledger: {
      redisKey: ledger.redisKey?.(command.commandId),
      ttlMs: options.ledgerTtlMs,
      successResult: (payload) => encodeResult(successResult(payload, command.type)),
    },
  });

  const execute = async (command: CommandMessage, handler: CompiledHandler): Promise<Execution> => {
    if (isExpired(command)) return { kind: 'expired' };
    const owner = randomUUID();
    const claimed = await claim(command, owner);
    if (claimed.kind === 'done') return { kind: 'result', result: claimed.result, duplicate: true };
    if (claimed.kind === 'expired') return claimed;
    if (claimed.kind === 'busy') return { kind: 'left-to-other-delivery' };

    const stopKeepingAlive = keepClaimAlive(command, owner);
    let ran: Awaited<ReturnType<typeof runHandler>>;
    try {
      ran = await runHandler(command, handler);
    } finally {
      await stopKeepingAlive();
    }
    if (ran.kind === 'expired') {
      // A handler still running keeps its claim until the lease lapses: no second execution
      // starts beside it. One that gave up between tries gives the claim back.
      if (!ran.stillRunning) await ledger.release(command.commandId, owner);
      return { kind: 'expired' };
    }
    const completed = await ledger.complete(
      command.commandId,
      owner,
      ran.result,
      options.ledgerTtlMs,
    );
    if (completed.claimLost) {
      logger.warn('the claim had lapsed before the result was recorded: handled twice', {
        commandId: command.commandId,
      });
    }
    // This delivery ran the handler, so it is not a duplicate even when the result was recorded
    // before `complete`: a handler that keeps its state in Redis records it in its own
    // transaction (see HandlerContext.ledger), and the recorded result is the one replied.
    return { kind: 'result', result: completed.result, duplicate: false };
  };

  const process = async (message: IncomingMessage): Promise<Processed> => {
    const parsed = parseCommand(message.value);
    if (!parsed.ok) return deadLetter(message, parsed);
    const command = parsed.value;
    const handler = handlers.get(command.type);
    if (!handler) {
      return deadLetter(message, {
        code: DLQ_ERROR_CODES.unknown,
        reason:
          `command: participant "${definition.name}" has no handler for type "${command.type}" ` +
          `(it handles ${[...handlers.keys()].join(', ')})`,
      });
    }
    if (handler.validate && !handler.validate(command.payload)) {
      return deadLetter(message, {
        code: DLQ_ERROR_CODES.invalid,
        reason: `command ${command.type}: payload ${describeErrors(handler.validate.errors)}`,
      });
    }

    const parent = extractTraceContext(message.headers);
    const span = tracer.startSpan(
      commandSpanName(definition.name, command.type),
      { kind: SpanKind.CONSUMER, attributes: spanAttributes(definition.name, command, message) },
      parent,
    );
    const active = trace.setSpan(parent, span);
    try {
      const execution = await otelContext.with(active, () => execute(command, handler));
      if (execution.kind === 'expired') {
        metrics.expired(command.type);
        span.addEvent('command expired: dropped');
        logger.info('expired command dropped', { commandId: command.commandId });
        return { disposition: execution, outgoing: [] };
      }
      if (execution.kind === 'left-to-other-delivery') {
        span.addEvent('claimed by another live delivery');
        logger.warn('command still claimed by another delivery: leaving the reply to it', {
          commandId: command.commandId,
        });
        return { disposition: execution, outgoing: [] };
      }
      const { result, duplicate } = execution;
      recordOutcome(span, result, duplicate, command.type, metrics);
      const reply = replyFor(command, result);
      return {
        disposition: { kind: 'replied', outcome: result.outcome, duplicate },
        outgoing: [
          {
            topic: command.replyTopic,
            key: message.key ?? command.sagaId,
            value: JSON.stringify(reply),
            headers: {
              [HEADERS.contractVersion]: String(CONTRACT_VERSION),
              [HEADERS.sagaId]: command.sagaId,
              [HEADERS.sagaType]: command.sagaType,
              [HEADERS.commandId]: command.commandId,
              [HEADERS.messageType]: command.type,
              ...traceHeadersFor(active, message.headers),
            },
          },
        ],
      };
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  };

  return { process };
}

function recordOutcome(
  span: Span,
  result: RecordedResult,
  duplicate: boolean,
  type: string,
  metrics: ParticipantMetrics,
): void {
  span.setAttribute(A.outcome, result.outcome);
  span.setAttribute(A.duplicate, duplicate);
  if (duplicate) {
    metrics.duplicate(type);
    return;
  }
  metrics.handled(type, result.outcome);
  if (result.outcome === 'failure') {
    metrics.failed(type, result.error.code, result.error.retryable);
    span.setAttribute(A.errorCode, result.error.code);
    span.setAttribute(A.retryable, result.error.retryable);
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
  }
}

function spanAttributes(participant: string, command: CommandMessage, message: IncomingMessage) {
  return {
    [A.participant]: participant,
    [A.commandType]: command.type,
    [A.commandId]: command.commandId,
    [A.commandAttempt]: command.attempt,
    [A.sagaId]: command.sagaId,
    [A.sagaType]: command.sagaType,
    [A.messagingSystem]: 'kafka',
    [A.messagingDestination]: message.topic,
    [A.messagingOperation]: 'process',
    [A.messagingPartition]: String(message.partition),
    [A.messagingOffset]: message.offset,
  };
}
