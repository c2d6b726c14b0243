/**
 * The whole system in one process for the telemetry tests: the orchestrator (order and probe
 * sagas) and the example participants plus the probe participant on real Kafka and Redis, each
 * with its own telemetry (metrics served over HTTP on its own port, spans kept in memory).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOnSampler, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SagaDefinition } from '../../../../orchestrator/engine/types.js';
import type { Orchestrator } from '../../../../orchestrator/runtime/index.js';
import { createOrchestratorService } from '../../../../orchestrator/service/index.js';
import { silentLogger } from '../../../../wire/telemetry/logger.js';
import { SCOPES } from '../../../../wire/telemetry/metric-names.js';
import {
  consumerLagSource,
  setupTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from '../../../../orchestrator/telemetry/index.js';
import {
  seedInventory,
  seedPayment,
  startInventoryParticipant,
  startPaymentParticipant,
  startShippingParticipant,
} from '../../../../participants/examples/index.js';
import {
  kafkaParticipantTransport,
  startParticipant,
  type KafkaParticipantTransport,
  type RunningParticipant,
} from '../../../../participants/sdk/index.js';
import orderSaga from '../../../../sagas/order/index.js';
import { infraEndpoints, TEST_CONSUMER_TIMINGS, type TestInfra } from '../../../support/infra.js';
import { TEST_SUBSCRIBER_SETTINGS } from '../../participants/support/kafka-participants.js';
import { probeParticipant, probeSaga } from './probe-saga.js';

export interface Service {
  name: string;
  telemetry: Telemetry;
  spans: InMemorySpanExporter;
  /** `127.0.0.1:<port>` of its `/metrics`. */
  metricsAddress: string;
}

export interface TelemetryStack {
  orchestrator: Orchestrator;
  services: Service[];
  /** Every finished span of every service. */
  spans(): ReturnType<InMemorySpanExporter['getFinishedSpans']>;
  stop(): Promise<void>;
}

export const STOCK = { 'SKU-1': 1000, 'SKU-2': 1000, 'SKU-RARE': 1 };
export const CREDIT = { 'customer-poor': 10 };
export const DEFAULT_CREDIT = 1_000_000;
/** The share of shipping tries that fail transiently (seeded with the test's prefix). */
export const SHIPPING_FAILURE_RATE = 0.3;

const ORCHESTRATOR = 'saga-orchestrator';

/** Telemetry of one service: spans kept in `spans`, every trace sampled, no process globals. */
function telemetryOptions(name: string, spans: InMemorySpanExporter) {
  return {
    serviceName: name,
    registerGlobal: false,
    spanExporter: spans,
    spanProcessing: 'simple',
    environment: { disabled: false, tracesExporter: 'none', sampler: new AlwaysOnSampler() },
  } satisfies TelemetryOptions;
}

function serviceTelemetry(name: string) {
  const spans = new InMemorySpanExporter();
  return { telemetry: setupTelemetry(telemetryOptions(name, spans)), spans };
}

async function serveMetrics(telemetry: Telemetry): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => telemetry.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface TelemetryStackOptions {
  /** The share of shipping tries that fail transiently. @default SHIPPING_FAILURE_RATE */
  shippingFailureRate?: number;
}

export async function startTelemetryStack(
  infra: TestInfra,
  stackOptions: TelemetryStackOptions = {},
): Promise<TelemetryStack> {
  // The participant SDK reads and writes trace headers with the global propagator, as a
  // participant process registers it (setupTelemetry's registerGlobal).
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const definitions = [orderSaga, probeSaga] as SagaDefinition[];
  const servers: Server[] = [];
  const services: Service[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  const addService = async (name: string, made: ReturnType<typeof serviceTelemetry>) => {
    const { server, address } = await serveMetrics(made.telemetry);
    servers.push(server);
    const service = { name, ...made, metricsAddress: address };
    services.push(service);
    return service;
  };

  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
    await Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    // The participants' telemetry; the orchestrator service shuts its own down.
    await Promise.all(
      services.filter((s) => s.name !== ORCHESTRATOR).map((s) => s.telemetry.shutdown()),
    );
    propagation.disable();
  };

  try {
    // The orchestrator as the service assembles it: its /metrics is the API's, its gauges fed by
    // its own lag admin; spans are kept in memory.
    const orchestratorSpans = new InMemorySpanExporter();
    const service = createOrchestratorService({
      definitions,
      redis: infra.redis,
      kafka: infra.kafka,
      topicPrefix: infra.prefix,
      store: { keyPrefix: infra.prefix, shards: 4 },
      telemetry: telemetryOptions(ORCHESTRATOR, orchestratorSpans),
      api: { port: 0, host: '127.0.0.1' },
      tuning: {
        topicPartitions: 2,
        topicReplicationFactor: 1,
        timerPollIntervalMs: 50,
        consumer: {
          sessionTimeoutMs: TEST_CONSUMER_TIMINGS.sessionTimeout,
          heartbeatIntervalMs: TEST_CONSUMER_TIMINGS.heartbeatInterval,
          rebalanceTimeoutMs: TEST_CONSUMER_TIMINGS.rebalanceTimeout,
          maxWaitTimeMs: TEST_CONSUMER_TIMINGS.maxWaitTimeInMs,
        },
      },
    });
    stops.push(() => service.stop());
    await service.start();
    const { orchestrator } = service;
    services.push({
      name: ORCHESTRATOR,
      // On: the options set it up.
      telemetry: service.telemetry as Telemetry,
      spans: orchestratorSpans,
      metricsAddress: `127.0.0.1:${service.port}`,
    });

    const keyPrefix = infra.key('shop');
    await seedInventory(infra.redis, { keyPrefix, stock: STOCK });
    await seedPayment(infra.redis, {
      keyPrefix,
      creditLimits: CREDIT,
      defaultCreditLimit: DEFAULT_CREDIT,
    });
    const transport: KafkaParticipantTransport = await kafkaParticipantTransport({
      kafka: { brokers: infraEndpoints().brokers, clientId: infra.prefix, logLevel: 'error' },
      subscriber: TEST_SUBSCRIBER_SETTINGS,
      logger: silentLogger,
    });
    stops.push(() => transport.close());

    const participantOptions = (service: Service) => ({
      transport,
      redis: infra.redis,
      keyPrefix,
      topicPrefix: infra.prefix,
      logger: silentLogger,
      retry: { maxTries: 2, initialBackoffMs: 10 },
      meter: service.telemetry.meterProvider.getMeter(SCOPES.participant),
      tracer: service.telemetry.tracerProvider.getTracer(SCOPES.participant),
    });
    const started: RunningParticipant[] = [];
    for (const name of ['inventory', 'payment', 'shipping', 'probe'] as const) {
      const serviceName = `saga-participant-${name}`;
      const service = await addService(serviceName, serviceTelemetry(serviceName));
      const options = participantOptions(service);
      const running =
        name === 'inventory'
          ? await startInventoryParticipant(options)
          : name === 'payment'
            ? await startPaymentParticipant(options)
            : name === 'shipping'
              ? await startShippingParticipant({
                  ...options,
                  failureRate: stackOptions.shippingFailureRate ?? SHIPPING_FAILURE_RATE,
                  failureSeed: infra.prefix,
                })
              : await startParticipant(probeParticipant, {
                  ...options,
                  ledgerKeyPrefix: `${keyPrefix}:{probe}`,
                });
      started.push(running);
      stops.push(() => running.stop());
      service.telemetry.observe({
        consumerLag: [
          consumerLagSource({
            admin: infra.admin,
            groupId: running.groupId,
            topics: [running.commandTopic],
          }),
        ],
      });
    }

    return {
      orchestrator,
      services,
      spans: () => services.flatMap((s) => s.spans.getFinishedSpans()),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
