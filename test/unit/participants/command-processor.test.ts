import { expect } from 'chai';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  HEADERS,
  parseReply,
  type JsonObject,
  type ReplyMessage,
} from '../../../wire/contract/index.js';
import type { OutgoingMessage } from '../../../wire/transport/ports.js';
import { commandProcessor, type Processed } from '../../../participants/sdk/command-processor.js';
import {
  BusinessError,
  compileParticipantOptions,
  defineParticipant,
  PARTICIPANT_METRICS,
  silentLogger,
  type AnyCommandHandler,
  type ParticipantOptions,
} from '../../../participants/sdk/index.js';
import { participantMetrics } from '../../../participants/sdk/participant-metrics.js';
import { collectingMeter, type CollectingMeter } from './support/collecting-meter.js';
import { fakeClock, type FakeClock } from './support/fake-clock.js';
import { memoryLedger, type MemoryLedger } from './support/memory-ledger.js';
import { command, incoming } from './support/messages.js';

interface Harness {
  process: (
    value: Parameters<typeof incoming>[0],
    options?: Parameters<typeof incoming>[1],
  ) => Promise<Processed>;
  clock: FakeClock;
  ledger: MemoryLedger;
  metrics: CollectingMeter;
  stopping: AbortController;
}

const unusedTransport: ParticipantOptions['transport'] = {
  publisher: {
    publish: () => Promise.reject(new Error('the processor does not publish')),
    close: () => Promise.resolve(),
  },
  subscriber: () => {
    throw new Error('the processor does not subscribe');
  },
};

function harness(
  handlers: Record<string, AnyCommandHandler>,
  extra: Partial<ParticipantOptions> = {},
): Harness {
  const clock = fakeClock();
  const ledger = memoryLedger();
  const metrics = collectingMeter();
  const stopping = new AbortController();
  const definition = defineParticipant({ name: 'inventory', handlers });
  const options = compileParticipantOptions(definition, {
    transport: unusedTransport,
    ledger,
    clock,
    logger: silentLogger,
    topicPrefix: 'test',
    // Long enough that the claim's renewal sleeps (a third of it) stand apart from back-offs.
    claimLeaseMs: 30_000,
    ...extra,
  });
  const processor = commandProcessor({
    definition,
    options,
    metrics: participantMetrics('inventory', metrics.meter),
    stopping: stopping.signal,
  });
  return {
    process: (value, messageOptions) => processor.process(incoming(value, messageOptions)),
    clock,
    ledger,
    metrics,
    stopping,
  };
}

/**
 * What the handler's retries slept: not the claim keep-alive (a third of the 30 s lease) nor the
 * wait for the command's deadline (about a minute), both also on the clock.
 */
function backoffs(h: Harness): number[] {
  return h.clock.slept.filter((ms) => ms < 10_000);
}

function onlyReply(processed: Processed): { message: OutgoingMessage; reply: ReplyMessage } {
  expect(processed.outgoing).to.have.length(1);
  const message = processed.outgoing[0] as OutgoingMessage;
  const parsed = parseReply(message.value);
  if (!parsed.ok) throw new Error(`not a valid reply: ${parsed.reason}`);
  return { message, reply: parsed.value };
}

describe('participant SDK: command processor', () => {
  it('calls the handler with the payload and replies on the reply topic with the same key and ids', async () => {
    const seen: JsonObject[] = [];
    const h = harness({
      ReserveItems: async (payload: JsonObject) => {
        seen.push(payload);
        return { reservationId: 'r-1' };
      },
    });
    const cmd = command({}, h.clock.now());
    const processed = await h.process(cmd, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(seen).to.deep.equal([cmd.payload]);
    const { message, reply } = onlyReply(processed);
    expect(message.topic).to.equal('test.replies');
    expect(message.key).to.equal(cmd.sagaId);
    expect(reply).to.deep.equal({
      commandId: cmd.commandId,
      sagaId: cmd.sagaId,
      type: 'ReserveItems',
      outcome: 'success',
      payload: { reservationId: 'r-1' },
    });
    expect(message.headers).to.include({
      [HEADERS.contractVersion]: '1',
      [HEADERS.sagaId]: cmd.sagaId,
      [HEADERS.sagaType]: 'order',
      [HEADERS.commandId]: cmd.commandId,
      [HEADERS.messageType]: 'ReserveItems',
      // No OpenTelemetry SDK registered: the command's trace context is passed through.
      [HEADERS.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(processed.disposition).to.deep.equal({
      kind: 'replied',
      outcome: 'success',
      duplicate: false,
    });
  });

  it('does not run a re-delivered command again and re-sends the original reply', async () => {
    let runs = 0;
    const h = harness({
      ReserveItems: async () => ({ reservationId: `r-${++runs}` }),
    });
    const cmd = command({}, h.clock.now());
    const first = onlyReply(await h.process(cmd));
    const again = await h.process(cmd);
    expect(runs).to.equal(1);
    expect(onlyReply(again).reply).to.deep.equal(first.reply);
    expect(again.disposition).to.deep.include({ kind: 'replied', duplicate: true });
    const totals = await h.metrics.totals();
    expect(totals[PARTICIPANT_METRICS.handled]).to.equal(1);
    expect(totals[PARTICIPANT_METRICS.duplicates]).to.equal(1);
  });

  it('counts a handler that records its result in its own transaction as handled, not a duplicate', async () => {
    const h = harness({
      // As the example participants do in their Lua scripts: effect and ledger record at once.
      ReserveItems: async (_payload, ctx) => {
        h.ledger.records.set(ctx.command.commandId, {
          state: 'done',
          result: { outcome: 'success', payload: { reservationId: 'r-own' } },
        });
        return { reservationId: 'r-own' };
      },
    });
    const processed = await h.process(command({}, h.clock.now()));
    expect(onlyReply(processed).reply).to.deep.include({ payload: { reservationId: 'r-own' } });
    expect(processed.disposition).to.deep.include({ kind: 'replied', duplicate: false });
    const totals = await h.metrics.totals();
    expect(totals[PARTICIPANT_METRICS.handled]).to.equal(1);
    expect(totals[PARTICIPANT_METRICS.duplicates] ?? 0).to.equal(0);
  });

  it('drops an expired command unexecuted, replies nothing and counts it', async () => {
    let runs = 0;
    const h = harness({ ReserveItems: async () => void runs++ });
    const cmd = command({ expiresAt: new Date(h.clock.now() - 1).toISOString() }, h.clock.now());
    const processed = await h.process(cmd);
    expect(runs).to.equal(0);
    expect(processed).to.deep.equal({ disposition: { kind: 'expired' }, outgoing: [] });
    expect(h.ledger.records.size).to.equal(0);
    expect((await h.metrics.totals())[PARTICIPANT_METRICS.expired]).to.equal(1);
  });

  describe('dead-lettering', () => {
    const cases: Array<[string, (now: number) => string, string, RegExp]> = [
      ['a value that is not JSON', () => '{"commandId": ', 'MALFORMED', /not JSON/],
      [
        'JSON that is not a command',
        (now) => JSON.stringify({ ...command({}, now), attempt: 0 }),
        'SCHEMA_INVALID',
        /\/attempt must be >= 1/,
      ],
      [
        'a command type the participant does not handle',
        (now) => JSON.stringify(command({ type: 'LaunchRocket' }, now)),
        'UNKNOWN',
        /no handler for type "LaunchRocket" \(it handles ReserveItems\)/,
      ],
      [
        'a payload its handler schema refuses',
        (now) => JSON.stringify(command({ payload: { orderId: 7 } }, now)),
        'SCHEMA_INVALID',
        /payload \/orderId must be string/,
      ],
    ];
    for (const [what, value, code, reason] of cases) {
      it(`sends ${what} to the DLQ with the reason, untouched`, async () => {
        let runs = 0;
        const h = harness({
          ReserveItems: {
            payloadSchema: {
              type: 'object',
              required: ['orderId'],
              properties: { orderId: { type: 'string' } },
            },
            handle: async () => void runs++,
          },
        });
        const raw = value(h.clock.now());
        const processed = await h.process(raw, { key: 'k-1', headers: { traceparent: 'tp' } });
        expect(runs).to.equal(0);
        expect(processed.disposition).to.deep.equal({ kind: 'dead-lettered', code });
        expect(processed.outgoing).to.have.length(1);
        const dead = processed.outgoing[0] as OutgoingMessage;
        expect(dead.topic).to.equal('test.dlq');
        expect(dead.key).to.equal('k-1');
        expect(String(dead.value)).to.equal(raw);
        expect(dead.headers?.[HEADERS.dlqErrorCode]).to.equal(code);
        expect(dead.headers?.[HEADERS.dlqReason]).to.match(reason);
        expect(dead.headers).to.include({
          [HEADERS.dlqSourceTopic]: 'test.inventory.commands',
          [HEADERS.dlqSourcePartition]: '0',
          [HEADERS.dlqSource]: 'participant:inventory',
          [HEADERS.dlqAt]: new Date(h.clock.now()).toISOString(),
          traceparent: 'tp',
        });
        expect((await h.metrics.totals())[PARTICIPANT_METRICS.deadLettered]).to.equal(1);
      });
    }
  });

  it('replies a terminal failure for a BusinessError, without retrying', async () => {
    let runs = 0;
    const h = harness({
      ReserveItems: async () => {
        runs++;
        throw new BusinessError('OUT_OF_STOCK', 'SKU-1: 2 requested, 1 available');
      },
    });
    const { reply } = onlyReply(await h.process(command({}, h.clock.now())));
    expect(runs).to.equal(1);
    expect(reply).to.deep.include({
      outcome: 'failure',
      error: { code: 'OUT_OF_STOCK', message: 'SKU-1: 2 requested, 1 available', retryable: false },
    });
    expect(backoffs(h)).to.deep.equal([]);
  });

  it('retries an unexpected error with growing back-off, then replies a retryable failure', async () => {
    let runs = 0;
    const h = harness(
      {
        ReserveItems: async () => {
          runs++;
          throw new Error('connection reset');
        },
      },
      { retry: { maxTries: 3, initialBackoffMs: 100, multiplier: 2 } },
    );
    const { reply } = onlyReply(await h.process(command({}, h.clock.now())));
    expect(runs).to.equal(3);
    expect(backoffs(h)).to.deep.equal([100, 200]);
    expect(reply).to.deep.include({
      outcome: 'failure',
      error: { code: 'HANDLER_ERROR', message: 'Error: connection reset', retryable: true },
    });
    const totals = await h.metrics.totals();
    expect(totals[PARTICIPANT_METRICS.retries]).to.equal(2);
    expect(totals[PARTICIPANT_METRICS.failed]).to.equal(1);
  });

  it('succeeds when a retry succeeds, and tells the handler which try it is', async () => {
    const tries: number[] = [];
    const h = harness({
      ReserveItems: async (_payload: JsonObject, ctx) => {
        tries.push(ctx.tryNumber);
        if (ctx.tryNumber < 2) throw new Error('flaky');
        return { reservationId: 'r-9' };
      },
    });
    const { reply } = onlyReply(await h.process(command({}, h.clock.now())));
    expect(tries).to.deep.equal([1, 2]);
    expect(reply).to.deep.include({ outcome: 'success', payload: { reservationId: 'r-9' } });
  });

  it('stops retrying once the command expires, gives the claim back and replies nothing', async () => {
    let runs = 0;
    const h = harness(
      {
        ReserveItems: async () => {
          runs++;
          throw new Error('down');
        },
      },
      { retry: { maxTries: 5, initialBackoffMs: 1000 } },
    );
    const cmd = command({ expiresAt: new Date(h.clock.now() + 1500).toISOString() }, h.clock.now());
    const processed = await h.process(cmd);
    expect(processed.disposition).to.deep.equal({ kind: 'expired' });
    expect(runs).to.equal(2);
    expect(h.ledger.records.has(cmd.commandId)).to.equal(false);
  });

  it('stops waiting for a hung handler at the command deadline: no reply, the claim stays', async () => {
    const h = harness({ ReserveItems: () => new Promise<never>(() => undefined) });
    const cmd = command(
      { expiresAt: new Date(h.clock.now() + 45_000).toISOString() },
      h.clock.now(),
    );
    const processed = await h.process(cmd);
    expect(processed).to.deep.equal({ disposition: { kind: 'expired' }, outgoing: [] });
    expect(h.clock.now()).to.be.at.least(Date.parse(cmd.expiresAt));
    // Still claimed: no second execution starts beside the hung one before the lease lapses.
    expect(h.ledger.records.get(cmd.commandId)?.state).to.equal('claimed');
    expect((await h.metrics.totals())[PARTICIPANT_METRICS.expired]).to.equal(1);
  });

  it('treats a handler that returns something other than an object as failing (retryable)', async () => {
    const h = harness({ ReserveItems: (async () => 42) as unknown as AnyCommandHandler });
    const { reply } = onlyReply(await h.process(command({}, h.clock.now())));
    expect(reply).to.deep.include({ outcome: 'failure' });
    if (reply.outcome === 'failure') {
      expect(reply.error.retryable).to.equal(true);
      expect(reply.error.message).to.match(/a reply payload is an object/);
    }
  });

  it('waits while another delivery holds the claim, then re-sends the reply it recorded', async () => {
    let runs = 0;
    const h = harness({ ReserveItems: async () => ({ reservationId: `mine-${++runs}` }) });
    const cmd = command({}, h.clock.now());
    await h.ledger.claim(cmd.commandId, 'other-instance', 30_000);
    const pending = h.process(cmd);
    // The other delivery finishes while this one polls.
    await new Promise((resolve) => setImmediate(resolve));
    await h.ledger.complete(
      cmd.commandId,
      'other-instance',
      { outcome: 'success', payload: { reservationId: 'theirs' } },
      1000,
    );
    const { reply } = onlyReply(await pending);
    expect(runs).to.equal(0);
    expect(reply).to.deep.include({ outcome: 'success', payload: { reservationId: 'theirs' } });
  });

  describe('with OpenTelemetry registered', () => {
    const exporter = new InMemorySpanExporter();
    before(() => {
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
    });
    after(() => {
      propagation.disable();
      trace.disable();
    });

    it('continues the command trace: the handler span is a child, the reply carries it on', async () => {
      const h = harness({ ReserveItems: async () => ({ reservationId: 'r' }) });
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const parentSpanId = 'b7ad6b7169203331';
      const { message } = onlyReply(
        await h.process(command({}, h.clock.now()), {
          headers: { traceparent: `00-${traceId}-${parentSpanId}-01` },
        }),
      );
      const [span] = exporter.getFinishedSpans();
      expect(span?.name).to.equal('inventory ReserveItems');
      expect(span?.spanContext().traceId).to.equal(traceId);
      expect(span?.parentSpanContext?.spanId).to.equal(parentSpanId);
      expect(message.headers?.traceparent).to.equal(
        `00-${traceId}-${span?.spanContext().spanId}-01`,
      );
    });
  });
});
