/**
 * Trace context across the participant: the command's W3C `traceparent`/`tracestate` headers
 * become the parent of the handler's span, and the reply carries the context on. With no
 * OpenTelemetry SDK registered the global propagator and tracer are no-ops; the headers are then
 * passed through unchanged, so a trace still joins up across services that do record.
 */
import { propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { HEADERS } from '../../wire/contract/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';

/** The context the command's headers carry (the root context when they carry none). */
export function extractTraceContext(headers: MessageHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * The trace headers for a message sent in `ctx` (the handler's span). When the propagator wrote
 * nothing (none registered), the command's own headers are passed through.
 */
export function traceHeadersFor(ctx: Context, incoming: MessageHeaders): MessageHeaders {
  const carrier: MessageHeaders = {};
  propagation.inject(ctx, carrier);
  const parent = incoming[HEADERS.traceparent];
  if (!carrier[HEADERS.traceparent] && parent) {
    carrier[HEADERS.traceparent] = parent;
    const state = incoming[HEADERS.tracestate];
    if (state) carrier[HEADERS.tracestate] = state;
  }
  return carrier;
}
