/**
 * Traces where operators look (issue 14): the orchestrator process (`orchestrator/main.ts`) and
 * the three example participant processes (`participants/main.ts`) export their spans over OTLP
 * to a real Jaeger (scripts/jaeger.sh, which `npm test` starts), configured only by the standard
 * `OTEL_*` variables. Read back through Jaeger's HTTP query API, each saga is exactly one trace —
 * searched from every service, its spans lead to that one trace id — and the trace is one tree
 * holding spans of the orchestrator's service and of every participant's.
 */
import { expect } from 'chai';
import { ATTRIBUTES, SPAN_NAMES } from '../../wire/telemetry/metric-names.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { useInfra } from '../support/infra.js';
import {
  jaegerEndpoints,
  jaegerQuery,
  serviceOf,
  tagOf,
  type JaegerEndpoints,
  type JaegerSpan,
  type JaegerTrace,
} from '../support/jaeger.js';
import { orderInput } from '../support/orders.js';
import {
  orchestratorEnv,
  spawnOrchestrator,
  spawnParticipant,
  type OrchestratorProcess,
} from './support/orchestrator-process.js';
import { freePort } from '../support/free-port.js';

const ORCHESTRATOR = 'saga-orchestrator';
const PARTICIPANTS = ['inventory', 'payment', 'shipping'] as const;
const SERVICES = [ORCHESTRATOR, ...PARTICIPANTS.map((p) => `saga-participant-${p}`)];
const SAGAS = 4;

describe('traces in Jaeger: each saga is one trace holding the orchestrator’s and the participants’ spans', function () {
  this.timeout(180_000);
  const processes: OrchestratorProcess[] = [];
  let jaeger: JaegerEndpoints | undefined;

  // Before useInfra, so that it runs first: the processes need Kafka and Redis to stop.
  after(async function () {
    this.timeout(60_000);
    for (const process of processes) process.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
  });

  const infra = useInfra('jaeger');

  before(async () => {
    jaeger = await jaegerEndpoints();
  });

  it('exports a run of order sagas from every process; Jaeger’s query API shows one trace per saga', async () => {
    if (!jaeger) throw new Error('jaegerEndpoints() runs in before()');
    // Only the standard variables: tracing on by the endpoint alone, spans exported quickly.
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    const port = await freePort();
    const orchestrator = spawnOrchestrator({
      ...orchestratorEnv(infra.prefix, port),
      ...otel,
      // The console's trace link: this Jaeger build has no web UI, so the link opens the trace
      // as its query API's JSON (dashboards/README.md, Traces).
      CONSOLE_TRACE_URL: `${jaeger.queryUrl}/api/traces/{traceId}`,
    });
    processes.push(orchestrator);
    await orchestrator.ready;
    const participantEnv = {
      SAGA_TOPIC_PREFIX: infra.prefix,
      PARTICIPANT_KEY_PREFIX: infra.key('shop'),
      INVENTORY_STOCK: 'SKU-1=1000',
      PAYMENT_DEFAULT_CREDIT_LIMIT: '1000000',
      ...otel,
    };
    const participants = PARTICIPANTS.map((name) => spawnParticipant(name, participantEnv));
    processes.push(...participants);
    await Promise.all(participants.map((p) => p.ready));

    const api = apiClient(`http://127.0.0.1:${port}`);
    const ids = Array.from({ length: SAGAS }, (_, i) => `${infra.prefix}-traced-${i + 1}`);
    for (const id of ids) {
      const started = await api.post('/v1/sagas', { type: 'order', id, input: orderInput() });
      expect(started.status, started.text).to.equal(201);
    }
    for (const id of ids) {
      const result = await api.get<{ done: boolean; saga: { status: string } }>(
        `/v1/sagas/${id}/result?timeoutMs=30000`,
      );
      expect(result.body.saga.status, id).to.equal('completed');
    }

    const query = jaegerQuery(jaeger.queryUrl);
    for (const sagaId of ids) {
      // Spans arrive in batches from four processes: wait until the saga's trace holds the
      // outcome span and every participant's handler span, then look at all of it.
      const trace = await eventually(
        `the trace of ${sagaId} to be complete in Jaeger`,
        async () => {
          const found = await query.findTraces(ORCHESTRATOR, { [ATTRIBUTES.sagaId]: sagaId });
          const [first] = found;
          if (found.length !== 1 || !first) return undefined;
          const whole = await query.trace(first.traceID);
          const names = new Set(whole?.spans.map((s) => s.operationName));
          const complete =
            names.has(SPAN_NAMES.sagaOutcome('order', 'completed')) &&
            names.has(SPAN_NAMES.participantCommand('inventory', 'ReserveItems')) &&
            names.has(SPAN_NAMES.participantCommand('payment', 'AuthorizePayment')) &&
            names.has(SPAN_NAMES.participantCommand('shipping', 'ConfirmOrder'));
          return complete ? whole : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );

      // Searched from every service, the saga's spans are in this one trace and no other.
      for (const service of SERVICES) {
        const found = await query.findTraces(service, { [ATTRIBUTES.sagaId]: sagaId });
        expect(
          found.map((t) => t.traceID),
          `${sagaId}: traces of ${service}`,
        ).to.deep.equal([trace.traceID]);
      }
      expectOneSagaTree(trace, sagaId);

      // The console's trace link for this saga (its view's traceId in the session's template)
      // opens this very trace in Jaeger.
      const view = await api.get<{ traceId?: string }>(`/v1/sagas/${sagaId}`);
      expect(view.body.traceId, `${sagaId}: traceId`).to.equal(trace.traceID);
      const session = await api.get<{ links: { traceUrlTemplate?: string } }>('/v1/session');
      const link = session.body.links.traceUrlTemplate?.replace('{traceId}', trace.traceID);
      expect(link, 'the session names a trace link').to.be.a('string');
      const opened = await fetch(link ?? '');
      expect(opened.status, link).to.equal(200);
      const shown = (await opened.json()) as { data: Array<{ traceID: string }> };
      expect(shown.data.map((t) => t.traceID)).to.deep.equal([trace.traceID]);
    }

    // Four sagas, four different traces.
    const traceIds = await Promise.all(
      ids.map(async (id) => {
        const [found] = await query.findTraces(ORCHESTRATOR, { [ATTRIBUTES.sagaId]: id });
        return found?.traceID;
      }),
    );
    expect(new Set(traceIds).size).to.equal(SAGAS);
  });
});

/** One root (`saga order`), every other span's parent in the trace, every service present. */
function expectOneSagaTree(trace: JaegerTrace, sagaId: string): void {
  const spanIds = new Set(trace.spans.map((s) => s.spanID));
  const roots = trace.spans.filter((s) => !s.references.some((r) => r.refType === 'CHILD_OF'));
  expect(
    roots.map((s) => s.operationName),
    `${sagaId}: roots`,
  ).to.deep.equal([SPAN_NAMES.sagaStart('order')]);
  for (const span of trace.spans) {
    for (const reference of span.references.filter((r) => r.refType === 'CHILD_OF')) {
      expect(reference.traceID, `${sagaId}: ${span.operationName}`).to.equal(trace.traceID);
      expect(spanIds.has(reference.spanID), `${sagaId}: parent of ${span.operationName}`).to.equal(
        true,
      );
    }
    // No span of another saga slipped in.
    const taggedSaga = tagOf(span, ATTRIBUTES.sagaId);
    if (taggedSaga !== undefined) expect(taggedSaga, span.operationName).to.equal(sagaId);
  }
  const services = new Set(trace.spans.map((s) => serviceOf(trace, s)));
  expect([...services].sort(), `${sagaId}: services`).to.deep.equal([...SERVICES].sort());
  // Across the processes: each participant's handler span is the child of the orchestrator's
  // step span whose command it handled, itself a child of the root.
  const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
  const parentOf = (span: JaegerSpan) => {
    const reference = span.references.find((r) => r.refType === 'CHILD_OF');
    return reference ? byId.get(reference.spanID) : undefined;
  };
  for (const [participant, command, step] of [
    ['inventory', 'ReserveItems', 'reserveInventory'],
    ['payment', 'AuthorizePayment', 'authorizePayment'],
    ['shipping', 'ConfirmOrder', 'confirmOrder'],
  ] as const) {
    const handlers = trace.spans.filter(
      (s) => s.operationName === SPAN_NAMES.participantCommand(participant, command),
    );
    expect(handlers, `${sagaId}: ${participant} spans`).to.have.length.greaterThan(0);
    for (const handler of handlers) {
      expect(serviceOf(trace, handler)).to.equal(`saga-participant-${participant}`);
      const stepSpan = parentOf(handler);
      expect(stepSpan?.operationName, `${sagaId}: parent of ${handler.operationName}`).to.equal(
        SPAN_NAMES.step(step, 'action'),
      );
      expect(stepSpan && serviceOf(trace, stepSpan)).to.equal(ORCHESTRATOR);
      expect(stepSpan && parentOf(stepSpan)).to.equal(roots[0]);
    }
  }
}
