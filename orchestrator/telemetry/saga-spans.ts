/**
 * The spans of a saga's one trace (see `saga-trace.ts` for how ids are decided up front):
 *
 * ```
 * saga order                                  root, written at the start
 * ├─ step reserveInventory      (PRODUCER)    command issued → reply / timeout / end
 * │  └─ inventory ReserveItems  (CONSUMER)    the participant's handler (participant SDK)
 * │     └─ reply ReserveItems   (CONSUMER)    the orchestrator taking in the reply
 * ├─ step authorizePayment …
 * └─ saga order completed                     the whole life, written when it settles
 * ```
 *
 * Every span is written after what it covers is stored, with explicit start and end times, so
 * a restart or a move to another instance loses nothing.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type Link,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { RandomIdGenerator, type Sampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import type { Effect, SagaRecord, SagaTraceContext } from '../engine/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';
import { type Logger, ATTRIBUTES as A, SPAN_NAMES } from '../../wire/telemetry/index.js';
import type { SagaStarting, StepWritten } from './runtime-hooks.js';
import {
  contextOf,
  sagaRootContext,
  sagaTraceOf,
  spanContextFromHeaders,
  stepContext,
  traceHeaders,
  type ReservableIdGenerator,
} from './saga-trace.js';
import { newOutcomeStatus, type ClosedCommand } from './step-facts.js';

export interface SagaTracing {
  /** A tracer of a provider whose id generator is `ids`. */
  tracer: Tracer;
  ids: ReservableIdGenerator;
  /** The provider's sampler: decides, at the start, whether a saga's trace is recorded. */
  sampler: Sampler;
  logger: Logger;
}

const at = (ms: number) => new Date(ms);

export class SagaSpans {
  private readonly random = new RandomIdGenerator();
  private warnedForeignIds = false;

  constructor(private readonly tracing: SagaTracing) {}

  /** Chooses the root span context of a new saga (not yet written). */
  newSagaTrace(start: SagaStarting): SagaTraceContext {
    const traceId = this.random.generateTraceId();
    const spanId = this.random.generateSpanId();
    const decision = this.tracing.sampler.shouldSample(
      ROOT_CONTEXT,
      traceId,
      SPAN_NAMES.sagaStart(start.sagaType),
      SpanKind.INTERNAL,
      { [A.sagaType]: start.sagaType, [A.sagaId]: start.sagaId },
      [],
    );
    const sampled = decision.decision === SamplingDecision.RECORD_AND_SAMPLED;
    return sagaTraceOf({
      traceId,
      spanId,
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      ...(decision.traceState ? { traceState: decision.traceState } : {}),
    });
  }

  /** Trace headers for a message a step of `record` sends. */
  headersFor(record: SagaRecord, effect: Effect): MessageHeaders {
    const root = sagaRootContext(record.trace);
    if (!root) return {};
    if (effect.type === 'command') return traceHeaders(stepContext(root, effect));
    if (effect.type === 'lifecycle') return traceHeaders(root);
    return {};
  }

  /** Writes the spans a stored step completes. */
  stepWritten(step: StepWritten, closed: readonly ClosedCommand[]): void {
    const root = sagaRootContext(step.after.trace);
    if (!root || (root.traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (!step.before) this.writeRoot(step, root);
    for (const entry of closed) this.writeStep(step, root, entry);
    const status = newOutcomeStatus(step);
    if (status) this.writeOutcome(step, root, status);
  }

  private writeRoot(step: StepWritten, root: SpanContext): void {
    const { after } = step;
    const origin = spanContextFromHeaders(step.eventHeaders);
    const links: Link[] = origin ? [{ context: origin }] : [];
    this.write(
      { traceId: root.traceId, spanId: root.spanId },
      SPAN_NAMES.sagaStart(after.type),
      {
        root: true,
        kind: SpanKind.INTERNAL,
        startTime: at(after.createdAt),
        links,
        attributes: {
          [A.sagaId]: after.id,
          [A.sagaType]: after.type,
          [A.definitionVersion]: after.definitionVersion,
          [A.sagaState]: after.state,
        },
      },
      ROOT_CONTEXT,
      step.at,
    );
  }

  private writeStep(step: StepWritten, root: SpanContext, entry: ClosedCommand): void {
    const { command, outcome, error } = entry;
    const context = stepContext(root, command);
    const attributes: Attributes = {
      [A.sagaId]: step.after.id,
      [A.sagaType]: step.after.type,
      [A.step]: command.step,
      [A.stepKind]: command.kind,
      [A.participant]: command.participant,
      [A.commandType]: command.command,
      [A.commandId]: command.commandId,
      [A.commandAttempt]: command.attempt,
      [A.stepOutcome]: outcome,
      ...(error ? { [A.errorCode]: error.code, [A.retryable]: error.retryable } : {}),
    };
    this.write(
      { spanId: context.spanId },
      SPAN_NAMES.step(command.step, command.kind),
      { kind: SpanKind.PRODUCER, startTime: at(command.issuedAt), attributes },
      contextOf(root),
      step.at,
      outcome === 'success'
        ? undefined
        : {
            code: SpanStatusCode.ERROR,
            message: error ? `${error.code}: ${error.message}` : outcome,
          },
    );
    if (step.event?.kind === 'reply' && step.event.reply.commandId === command.commandId) {
      // The reply carries the participant's span: the orchestrator's intake sits under it.
      const parent = spanContextFromHeaders(step.eventHeaders) ?? context;
      this.write(
        {},
        SPAN_NAMES.reply(command.command),
        {
          kind: SpanKind.CONSUMER,
          startTime: at(step.at),
          attributes: {
            [A.sagaId]: step.after.id,
            [A.sagaType]: step.after.type,
            [A.commandId]: command.commandId,
            [A.outcome]: step.event.reply.outcome,
            [A.sagaState]: step.after.state,
          },
        },
        contextOf(parent),
        step.at,
      );
    }
  }

  private writeOutcome(step: StepWritten, root: SpanContext, status: string): void {
    const { after } = step;
    const bad = status === 'failed' || status === 'parked';
    this.write(
      {},
      SPAN_NAMES.sagaOutcome(after.type, status),
      {
        kind: SpanKind.INTERNAL,
        startTime: at(after.createdAt),
        attributes: {
          [A.sagaId]: after.id,
          [A.sagaType]: after.type,
          [A.sagaStatus]: status,
          [A.sagaState]: after.state,
        },
      },
      contextOf(root),
      step.at,
      bad ? { code: SpanStatusCode.ERROR, message: `saga ${status}` } : undefined,
    );
  }

  private write(
    ids: { traceId?: string; spanId?: string },
    name: string,
    options: Parameters<Tracer['startSpan']>[1],
    parent: Parameters<Tracer['startSpan']>[2],
    endMs: number,
    status?: { code: SpanStatusCode; message: string },
  ): void {
    const { tracer, ids: generator, logger } = this.tracing;
    const span = generator.withIds(ids, () => tracer.startSpan(name, options, parent));
    if (ids.spanId && span.isRecording() && span.spanContext().spanId !== ids.spanId) {
      if (!this.warnedForeignIds) {
        this.warnedForeignIds = true;
        logger.warn('the tracer does not use the saga id generator: saga traces will not join up');
      }
    }
    if (status) span.setStatus(status);
    span.end(at(endMs));
  }
}
