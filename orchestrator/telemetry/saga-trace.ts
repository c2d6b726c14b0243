/**
 * A saga's trace across processes and time. A saga lives longer than any one process and moves
 * between orchestrator instances, so its spans cannot stay open in memory. Instead its span ids
 * are *decided* up front and the spans are written afterwards, once what they cover is over:
 *
 * - the root span's context is chosen when the saga starts and persisted with it
 *   (`SagaRecord.trace`);
 * - a step's span id is derived from the trace id and the command id, so any instance can put it
 *   in the command's `traceparent` when it sends the command, and any instance can write the span
 *   (issued at → reply) when the reply, the timeout or the end of the saga closes it. The
 *   participant's handler span, started from that header, is therefore the step span's child.
 *
 * The ids are given to the SDK through {@link ReservableIdGenerator}, the tracer provider's id
 * generator.
 */
import { createHash } from 'node:crypto';
import {
  ROOT_CONTEXT,
  TraceFlags,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator, parseTraceParent } from '@opentelemetry/core';
import { type IdGenerator, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { HEADERS } from '../../wire/contract/index.js';
import type { SagaTraceContext } from '../engine/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';

const INVALID_SPAN_ID = '0000000000000000';
const propagator = new W3CTraceContextPropagator();

/**
 * An id generator that hands out ids reserved for the next span started inside
 * {@link ReservableIdGenerator.withIds}, and random ids otherwise. Starting a span is
 * synchronous, so the reservation cannot leak to another span.
 */
export class ReservableIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private reserved: { traceId?: string; spanId?: string } | undefined;

  generateTraceId(): string {
    const id = this.reserved?.traceId;
    if (this.reserved) this.reserved.traceId = undefined;
    return id ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    const id = this.reserved?.spanId;
    if (this.reserved) this.reserved.spanId = undefined;
    return id ?? this.random.generateSpanId();
  }

  /** Runs `start` (which must start exactly one span) with these ids reserved. */
  withIds<T>(ids: { traceId?: string; spanId?: string }, start: () => T): T {
    this.reserved = { ...ids };
    try {
      return start();
    } finally {
      this.reserved = undefined;
    }
  }
}

/** The W3C `traceparent` of a span context. */
export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** The span context a persisted saga trace names; undefined when it is not valid W3C. */
export function sagaRootContext(saga: SagaTraceContext | undefined): SpanContext | undefined {
  if (!saga) return undefined;
  const parsed = parseTraceParent(saga.traceparent);
  if (!parsed || !isSpanContextValid(parsed)) return undefined;
  return {
    ...parsed,
    isRemote: true,
    ...(saga.tracestate ? { traceState: new TraceState(saga.tracestate) } : {}),
  };
}

/**
 * The span id of the attempt that sent command `commandId` in trace `traceId`: the same on every
 * instance, never the invalid all-zero id. The attempt is part of it because an attempt after a
 * deadline re-sends the same command id, and each attempt has its own span.
 */
export function stepSpanId(traceId: string, commandId: string, attempt: number): string {
  const digest = createHash('sha256')
    .update(traceId)
    .update('\u0000')
    .update(commandId)
    .update('\u0000')
    .update(String(attempt))
    .digest();
  const id = digest.subarray(0, 8).toString('hex');
  return id === INVALID_SPAN_ID ? '0000000000000001' : id;
}

/** The context of a step's span (a remote parent for the spans written inside it). */
export function stepContext(
  root: SpanContext,
  command: { commandId: string; attempt: number },
): SpanContext {
  return {
    traceId: root.traceId,
    spanId: stepSpanId(root.traceId, command.commandId, command.attempt),
    traceFlags: root.traceFlags,
    ...(root.traceState ? { traceState: root.traceState } : {}),
    isRemote: true,
  };
}

/** An OpenTelemetry context whose parent span is `spanContext`. */
export function contextOf(spanContext: SpanContext): Context {
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

/** W3C headers (`traceparent`, `tracestate`) that make `spanContext` the receiver's parent. */
export function traceHeaders(spanContext: SpanContext): MessageHeaders {
  const carrier: Record<string, string> = {};
  propagator.inject(contextOf(spanContext), carrier, defaultTextMapSetter);
  return carrier;
}

/** The span context in a message's headers, when it has a valid `traceparent`. */
export function spanContextFromHeaders(
  headers: MessageHeaders | undefined,
): SpanContext | undefined {
  if (!headers?.[HEADERS.traceparent]) return undefined;
  const extracted = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The persisted form of a root span context. */
export function sagaTraceOf(spanContext: SpanContext): SagaTraceContext {
  const state = spanContext.traceState?.serialize();
  return {
    traceparent: formatTraceparent(spanContext),
    ...(state ? { tracestate: state } : {}),
  };
}
