/**
 * One call sets up a process's telemetry: metrics for Prometheus (served by the caller's HTTP
 * server through `metricsHandler`, or on a port of their own), and, when asked for, traces
 * exported over OTLP. The orchestrator's `main` passes `hooks` to the runtime and `observe`s its
 * store; a participant process passes the providers to the participant SDK (or lets it use the
 * globals, which this registers).
 *
 * @example
 * const telemetry = setupTelemetry({ serviceName: 'saga-orchestrator' });
 * app.get('/metrics', telemetry.metricsHandler);
 * telemetry.observe(storeGaugeSources(store, redis));
 * const runtime = createRuntime({ …, hooks: telemetry.hooks });
 * …
 * await telemetry.shutdown();
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createNoopMeter,
  metrics,
  propagation,
  trace,
  type Meter,
  type MeterProvider as MeterProviderApi,
  type Tracer,
  type TracerProvider as TracerProviderApi,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { telemetryEnvironment, type TelemetryEnvironment } from './config.js';
import { observeGauges, type GaugeSources } from './gauges.js';
import { silentLogger, type Logger, SCOPES } from '../../wire/telemetry/index.js';
import { createOtelRuntimeHooks } from './otel-runtime-hooks.js';
import { noRuntimeHooks, type RuntimeHooks } from './runtime-hooks.js';
import { sagaStatesOf } from './saga-states.js';
import { sagaStepsOf, type SagaDefinition } from '../engine/index.js';
import { ReservableIdGenerator } from './saga-trace.js';

export interface TelemetryOptions {
  /** `service.name` of the resource (`OTEL_SERVICE_NAME` overrides it). */
  serviceName: string;
  serviceVersion?: string;
  /**
   * Where spans go, instead of what `OTEL_TRACES_EXPORTER` chooses; giving one turns tracing on
   * (tests pass an `InMemorySpanExporter`).
   */
  spanExporter?: SpanExporter;
  /**
   * `simple` exports each span as it ends (tests); `batch` buffers them (`OTEL_BSP_*`).
   * @default 'batch'
   */
  spanProcessing?: 'batch' | 'simple';
  /** @default from `OTEL_TRACES_SAMPLER` (parent-based, always on) */
  sampler?: Sampler;
  /**
   * Serve `/metrics` on a port of its own (a process without an HTTP server; the example
   * participants mount the handler on their health server instead, to have probes beside it).
   * Otherwise mount {@link Telemetry.metricsHandler} on the service's HTTP server.
   */
  metricsServer?: { port: number; host?: string };
  /**
   * Make these the process's global tracer and meter providers, W3C the global propagator and
   * AsyncLocalStorage the context manager (the participant SDK uses the globals by default).
   * @default true
   */
  registerGlobal?: boolean;
  /**
   * The saga definitions the process runs: every state of each is reported from the start (0
   * sagas in flight, 0 entries), so dashboards and alerts see every state, not only busy ones.
   */
  definitions?: readonly SagaDefinition[];
  /** @default read from the standard `OTEL_*` variables */
  environment?: TelemetryEnvironment;
  /** @default silentLogger */
  logger?: Logger;
}

export interface Telemetry {
  /** For the orchestrator runtime. */
  readonly hooks: RuntimeHooks;
  /** Serves the Prometheus text format; mount it as `GET /metrics`. */
  readonly metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  readonly meterProvider: MeterProviderApi;
  readonly tracerProvider: TracerProviderApi;
  /** The orchestrator's meter (scope `saga-orchestrator`). */
  readonly meter: Meter;
  /** The orchestrator's tracer; a no-op one when tracing is off. */
  readonly tracer: Tracer;
  readonly tracingEnabled: boolean;
  /** Registers gauges read at each collection; returns a function that removes them. */
  observe(sources: GaugeSources): () => void;
  /** Exports the spans still buffered. */
  forceFlush(): Promise<void>;
  /** Flushes and stops everything; unregisters the globals it registered. */
  shutdown(): Promise<void>;
}

/** Sets up metrics (always, unless `OTEL_SDK_DISABLED`) and tracing (when configured). */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  const environment = options.environment ?? telemetryEnvironment();
  const logger = options.logger ?? silentLogger;
  const registerGlobal = options.registerGlobal ?? true;
  if (environment.disabled) return disabledTelemetry();

  const resource = defaultResource()
    .merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      }),
    )
    .merge(detectResources({ detectors: [envDetector] }));

  const prometheus = new PrometheusExporter({
    preventServerStart: !options.metricsServer,
    ...(options.metricsServer
      ? { port: options.metricsServer.port, host: options.metricsServer.host ?? '0.0.0.0' }
      : {}),
  });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  const meter = meterProvider.getMeter(SCOPES.orchestrator);

  const exporter = options.spanExporter ?? spanExporterFor(environment);
  const sampler = options.sampler ?? environment.sampler;
  const ids = new ReservableIdGenerator();
  const tracerProvider = exporter
    ? new NodeTracerProvider({
        resource,
        sampler,
        idGenerator: ids,
        spanProcessors: [
          options.spanProcessing === 'simple'
            ? new SimpleSpanProcessor(exporter)
            : new BatchSpanProcessor(exporter),
        ],
      })
    : undefined;
  const tracer = tracerProvider
    ? tracerProvider.getTracer(SCOPES.orchestrator)
    : trace.getTracer(SCOPES.orchestrator);

  if (registerGlobal) {
    metrics.setGlobalMeterProvider(meterProvider);
    if (tracerProvider) tracerProvider.register({ propagator: new W3CTraceContextPropagator() });
    else propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  }

  const knownStates = (options.definitions ?? []).flatMap((definition) =>
    sagaStatesOf(definition.machine).map((state) => ({
      type: definition.type,
      state: state.path,
      status: state.status,
    })),
  );
  const knownSteps = (options.definitions ?? []).flatMap((definition) =>
    sagaStepsOf(definition.machine).flatMap((step) => [
      {
        type: definition.type,
        step: step.step,
        kind: 'action' as const,
        participant: step.participant,
        command: step.command,
      },
      ...(step.compensation
        ? [
            {
              type: definition.type,
              step: step.step,
              kind: 'compensation' as const,
              participant: step.compensation.participant,
              command: step.compensation.command,
            },
          ]
        : []),
    ]),
  );
  const hooks = createOtelRuntimeHooks({
    meter,
    logger,
    knownStates,
    knownSteps,
    ...(tracerProvider ? { tracing: { tracer, ids, sampler, logger } } : {}),
  });

  return {
    hooks,
    metricsHandler: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    meterProvider,
    tracerProvider: tracerProvider ?? trace.getTracerProvider(),
    meter,
    tracer,
    tracingEnabled: tracerProvider !== undefined,
    observe: (sources) => observeGauges(meter, { logger, knownStates, ...sources }),
    forceFlush: async () => {
      await tracerProvider?.forceFlush();
    },
    shutdown: async () => {
      await Promise.allSettled([tracerProvider?.shutdown(), meterProvider.shutdown()]);
      if (registerGlobal) {
        metrics.disable();
        propagation.disable();
        if (tracerProvider) {
          trace.disable();
          context.disable();
        }
      }
    },
  };
}

function spanExporterFor(environment: TelemetryEnvironment): SpanExporter | undefined {
  switch (environment.tracesExporter) {
    case 'otlp':
      return new OTLPTraceExporter();
    case 'console':
      return new ConsoleSpanExporter();
    case 'none':
      return undefined;
  }
}

/** `OTEL_SDK_DISABLED`: no-op instruments, and `/metrics` says why it is empty. */
function disabledTelemetry(): Telemetry {
  return {
    hooks: noRuntimeHooks,
    metricsHandler: (_request, response) => {
      response.statusCode = 200;
      response.setHeader('content-type', 'text/plain; charset=utf-8');
      response.end('# telemetry is disabled (OTEL_SDK_DISABLED)\n');
    },
    meterProvider: metrics.getMeterProvider(),
    tracerProvider: trace.getTracerProvider(),
    meter: createNoopMeter(),
    tracer: trace.getTracer(SCOPES.orchestrator),
    tracingEnabled: false,
    observe: () => () => undefined,
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
}
