import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { HEADERS } from '../../../wire/contract/headers.js';
import { ATTRIBUTES as A } from '../../../wire/telemetry/metric-names.js';
import { setupTelemetry, type Telemetry } from '../../../orchestrator/telemetry/setup-telemetry.js';
import { stepSpanId } from '../../../orchestrator/telemetry/saga-trace.js';
import type { MessageHeaders } from '../../../wire/transport/ports.js';
import { SagaDriver } from './drive-saga.js';

const w3c = new W3CTraceContextPropagator();

function tracing(exporter: InMemorySpanExporter, serviceName = 'orchestrator', sampled = true) {
  return setupTelemetry({
    serviceName,
    registerGlobal: false,
    spanExporter: exporter,
    spanProcessing: 'simple',
    environment: {
      disabled: false,
      tracesExporter: 'none',
      sampler: sampled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
    },
  });
}

/** What the participant SDK does with a command's headers: a CONSUMER span under them, and the reply's headers from it. */
function participantHandles(
  participant: Telemetry,
  name: string,
  commandHeaders: MessageHeaders,
): MessageHeaders {
  const parent = w3c.extract(ROOT_CONTEXT, commandHeaders, defaultTextMapGetter);
  const span = participant.tracer.startSpan(name, { kind: SpanKind.CONSUMER }, parent);
  const reply: MessageHeaders = {};
  w3c.inject(trace.setSpan(parent, span), reply, defaultTextMapSetter);
  span.end();
  return reply;
}

const byName = (spans: readonly ReadableSpan[], name: string) => {
  const found = spans.filter((s) => s.name === name);
  expect(found, `spans named ${name}`).to.have.length(1);
  return found[0] as ReadableSpan;
};

describe('telemetry: one trace per saga', () => {
  // A fresh one per test: shutting a provider down shuts its exporter down.
  let exporter = new InMemorySpanExporter();
  const started: Telemetry[] = [];
  const open = (name?: string, sampled?: boolean) => {
    const telemetry = tracing(exporter, name, sampled);
    started.push(telemetry);
    return telemetry;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.shutdown()));
    exporter = new InMemorySpanExporter();
  });

  it('forms one tree: root, a span per step over command → reply, the participant inside, the outcome', () => {
    const orchestrator = open();
    const participant = open('participant');
    const saga = new SagaDriver(orchestrator.hooks);
    const root = saga.record.trace;
    expect(root?.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/u);

    for (const [step, name] of [
      ['reserveInventory', 'inventory ReserveItems'],
      ['authorizePayment', 'payment AuthorizePayment'],
      ['confirmOrder', 'shipping ConfirmOrder'],
    ] as const) {
      const command = saga.pending(step);
      const replyHeaders = participantHandles(
        participant,
        name,
        saga.commandHeaders.get(command.commandId) ?? {},
      );
      saga.advance(100).succeed(step, replyHeaders);
    }
    expect(saga.record.status).to.equal('completed');

    const spans = exporter.getFinishedSpans();
    const traceId = root?.traceparent.split('-')[1];
    expect(new Set(spans.map((s) => s.spanContext().traceId))).to.deep.equal(new Set([traceId]));

    const ids = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const roots = spans.filter((s) => !s.parentSpanContext);
    expect(roots.map((s) => s.name)).to.deep.equal(['saga order']);
    for (const span of spans) {
      if (span.parentSpanContext) {
        expect(ids.has(span.parentSpanContext.spanId), `parent of ${span.name}`).to.equal(true);
      }
    }

    const step = byName(spans, 'step reserveInventory');
    const handler = byName(spans, 'inventory ReserveItems');
    const reply = byName(spans, 'reply ReserveItems');
    expect(step.parentSpanContext?.spanId).to.equal(roots[0]?.spanContext().spanId);
    expect(handler.parentSpanContext?.spanId).to.equal(step.spanContext().spanId);
    expect(reply.parentSpanContext?.spanId).to.equal(handler.spanContext().spanId);
    expect(step.kind).to.equal(SpanKind.PRODUCER);
    expect(step.attributes[A.participant]).to.equal('inventory');
    expect(step.attributes[A.stepOutcome]).to.equal('success');
    // The step span covers issue → reply on the saga's clock.
    expect(step.duration).to.deep.equal([0, 100_000_000]);

    const outcome = byName(spans, 'saga order completed');
    expect(outcome.parentSpanContext?.spanId).to.equal(roots[0]?.spanContext().spanId);
    expect(outcome.duration).to.deep.equal([0, 300_000_000]);
    expect(spans).to.have.length(1 + 3 * 3 + 1);
  });

  it('continues the trace on another instance from the persisted record alone', () => {
    const first = open('orchestrator-a');
    const saga = new SagaDriver(first.hooks);
    const command = saga.pending('reserveInventory');
    const sent = saga.commandHeaders.get(command.commandId);

    // A restart: new providers, new hooks, nothing in memory but the stored record.
    const second = open('orchestrator-b');
    saga.moveTo(second.hooks);
    saga.advance(40).fail('reserveInventory', 'OUT_OF_STOCK');

    const spans = exporter.getFinishedSpans();
    const step = byName(spans, 'step reserveInventory');
    const root = byName(spans, 'saga order');
    expect(step.resource.attributes['service.name']).to.equal('orchestrator-b');
    expect(step.parentSpanContext?.spanId).to.equal(root.spanContext().spanId);
    expect(step.spanContext().traceId).to.equal(root.spanContext().traceId);
    // The header the first instance sent names the span the second one wrote.
    expect(sent?.[HEADERS.traceparent]).to.equal(
      `00-${root.spanContext().traceId}-${step.spanContext().spanId}-01`,
    );
    expect(step.spanContext().spanId).to.equal(
      stepSpanId(root.spanContext().traceId, command.commandId, command.attempt),
    );
    expect(step.status.code).to.equal(SpanStatusCode.ERROR);
    expect(step.attributes[A.errorCode]).to.equal('OUT_OF_STOCK');
  });

  it('closes a timed-out step as an error and gives each attempt its own span', () => {
    const saga = new SagaDriver(open().hooks);
    const first = saga.pending('reserveInventory');
    const firstParent = saga.commandHeaders.get(first.commandId)?.[HEADERS.traceparent];
    saga.fireNextTimer();
    saga.fireNextTimer();
    const second = saga.pending('reserveInventory');
    // The retry after a deadline re-sends the same command (same id), in a span of its own.
    expect(second).to.deep.include({ commandId: first.commandId, attempt: 2 });
    const secondParent = saga.commandHeaders.get(second.commandId)?.[HEADERS.traceparent];
    expect(secondParent).to.be.a('string').and.not.equal(firstParent);
    const step = byName(exporter.getFinishedSpans(), 'step reserveInventory');
    expect(step.attributes[A.stepOutcome]).to.equal('timeout');
    expect(step.attributes[A.commandAttempt]).to.equal(1);
    expect(step.status.code).to.equal(SpanStatusCode.ERROR);
  });

  it('links the root to the trace of the request that started the saga', () => {
    const origin = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const saga = new SagaDriver(open().hooks, { startHeaders: { traceparent: origin } });
    const root = byName(exporter.getFinishedSpans(), 'saga order');
    expect(root.spanContext().traceId).not.to.equal('0af7651916cd43dd8448eb211c80319c');
    expect(root.links.map((l) => l.context.spanId)).to.deep.equal(['b7ad6b7169203331']);
    expect(saga.lifecycleHeaders[0]?.[HEADERS.traceparent]).to.equal(
      saga.record.trace?.traceparent,
    );
  });

  it('records nothing for a saga the sampler drops, and says so in the headers', () => {
    const saga = new SagaDriver(open('orchestrator', false).hooks);
    expect(saga.record.trace?.traceparent).to.match(/-00$/u);
    const command = saga.pending('reserveInventory');
    expect(saga.commandHeaders.get(command.commandId)?.[HEADERS.traceparent]).to.match(/-00$/u);
    saga.succeed('reserveInventory');
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('costs nothing when tracing is off: no trace persisted, no headers, no spans', () => {
    const telemetry = setupTelemetry({
      serviceName: 'orchestrator',
      registerGlobal: false,
      environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOnSampler() },
    });
    started.push(telemetry);
    expect(telemetry.tracingEnabled).to.equal(false);
    expect(telemetry.hooks).not.to.have.property('sagaTrace');
    expect(telemetry.hooks).not.to.have.property('outgoingHeaders');
    const saga = new SagaDriver(telemetry.hooks);
    expect(saga.record.trace).to.equal(undefined);
    expect([...saga.commandHeaders.values()]).to.deep.equal([{}]);
    expect(exporter.getFinishedSpans()).to.have.length(0);
  });

  it('registers the W3C propagator and the providers globally when asked (participants use the globals)', async () => {
    const telemetry = setupTelemetry({
      serviceName: 'participant',
      spanExporter: exporter,
      spanProcessing: 'simple',
      environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOnSampler() },
    });
    try {
      const carrier: Record<string, string> = {};
      const span = trace.getTracer('x').startSpan('global');
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
      span.end();
      expect(carrier.traceparent).to.equal(
        `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
      );
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.deep.equal(['global']);
    } finally {
      await telemetry.shutdown();
    }
    const after: Record<string, string> = {};
    propagation.inject(ROOT_CONTEXT, after);
    expect(after).to.deep.equal({});
  });
});
