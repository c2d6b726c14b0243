/**
 * Every metric, attribute, span and scope name the project emits, orchestrator and participants
 * alike, in one module (cf. BullMQ's `TelemetryAttributes`). Instruments are created from these
 * definitions, the Grafana dashboards and the Prometheus alert rules are generated from them, so
 * a name cannot drift between what is exported and what is charted.
 *
 * Names follow the OpenTelemetry conventions: dotted namespaces, no unit in the name (the unit is
 * metadata; durations are in seconds), no `_total`. {@link prometheusName} gives the name the
 * project's Prometheus exporter (`@opentelemetry/exporter-prometheus`) serves them under: dots
 * become underscores and monotonic counters get `_total`. That exporter adds no unit suffix; an
 * OpenTelemetry Collector with `add_metric_suffixes` would add one (`_seconds`), so scrape the
 * services directly or turn that option off when using these dashboards.
 *
 * Label sets stay bounded: saga type, state, status, step, participant, command type, outcome,
 * error code, reason. A saga id or command id is a span attribute, never a metric attribute.
 */

/** Instrumentation scopes (meter and tracer names). */
export const SCOPES = {
  orchestrator: 'saga-orchestrator',
  participant: 'saga-orchestrator/participant-sdk',
} as const;

/** Attribute keys (span attributes and metric labels; Prometheus shows `.` as `_`). */
export const ATTRIBUTES = {
  sagaId: 'saga.id',
  sagaType: 'saga.type',
  sagaState: 'saga.state',
  sagaStatus: 'saga.status',
  definitionVersion: 'saga.definition.version',
  step: 'saga.step',
  stepKind: 'saga.step.kind',
  stepOutcome: 'saga.step.outcome',
  inputKind: 'saga.input.kind',
  ignoredReason: 'saga.ignored.reason',
  participant: 'saga.participant',
  commandType: 'saga.command.type',
  commandId: 'saga.command.id',
  commandAttempt: 'saga.command.attempt',
  outcome: 'saga.reply.outcome',
  errorCode: 'saga.error.code',
  retryable: 'saga.error.retryable',
  duplicate: 'saga.command.duplicate',
  dlqCode: 'saga.dlq.code',
  dlqSource: 'saga.dlq.source',
  consumerGroup: 'messaging.consumer.group.name',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  messagingPartition: 'messaging.destination.partition.id',
  messagingOffset: 'messaging.kafka.offset',
} as const;

export type AttributeKey = (typeof ATTRIBUTES)[keyof typeof ATTRIBUTES];

/** What kind of instrument a metric is; decides its Prometheus series. */
export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

export interface MetricDefinition {
  /** The OpenTelemetry instrument name. */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit: `s` for durations, `{saga}`-style annotations for counts. */
  readonly unit: string;
  readonly description: string;
  /** The only attributes the metric is recorded with (the dashboards rely on them). */
  readonly attributes: readonly AttributeKey[];
  /** Explicit histogram bucket boundaries, in the metric's unit. */
  readonly buckets?: readonly number[];
}

const A = ATTRIBUTES;

/** Latency buckets in seconds: 5 ms to 5 minutes (steps wait on other services and retries). */
export const LATENCY_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
] as const;
/** Time-in-state buckets in seconds: 10 ms to a day (a state may wait for a human). */
export const STATE_BUCKETS_S = [
  0.01,
  0.05,
  0.1,
  0.5,
  1,
  5,
  10,
  30,
  60,
  300,
  900,
  3600,
  4 * 3600,
  86_400,
] as const;

const define = <T extends Record<string, MetricDefinition>>(table: T): T => table;

/** The orchestrator's metrics. */
export const ORCHESTRATOR_METRICS = define({
  sagasStarted: {
    name: 'saga.sagas.started',
    kind: 'counter',
    unit: '{saga}',
    description: 'Sagas started',
    attributes: [A.sagaType],
  },
  sagaOutcomes: {
    name: 'saga.sagas.outcomes',
    kind: 'counter',
    unit: '{saga}',
    description:
      'Sagas reaching a final or parked status (completed, compensated, failed, cancelled, parked)',
    attributes: [A.sagaType, A.sagaStatus],
  },
  sagasInFlight: {
    name: 'saga.sagas.in_flight',
    kind: 'gauge',
    unit: '{saga}',
    description:
      'Sagas not ended (running or parked), by type, current state and status (0 for an empty state of a known definition)',
    attributes: [A.sagaType, A.sagaState, A.sagaStatus],
  },
  oldestInState: {
    name: 'saga.sagas.oldest_age',
    kind: 'gauge',
    unit: 's',
    description:
      'Age of the oldest saga not ended in each state (time since it started; 0 for an empty state of a known definition): a saga stuck in a state makes it grow',
    attributes: [A.sagaType, A.sagaState, A.sagaStatus],
  },
  inputsApplied: {
    name: 'saga.inputs.applied',
    kind: 'counter',
    unit: '{input}',
    description: 'Inputs that moved a saga (start, reply, timer, signal)',
    attributes: [A.sagaType, A.inputKind],
  },
  inputsIgnored: {
    name: 'saga.inputs.ignored',
    kind: 'counter',
    unit: '{input}',
    description: 'Inputs that changed nothing (duplicate or late reply, stale timer, …), by reason',
    attributes: [A.sagaType, A.ignoredReason],
  },
  stepDuration: {
    name: 'saga.step.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time from sending a command to its reply, timeout or abandonment',
    attributes: [A.sagaType, A.step, A.stepKind, A.participant, A.commandType, A.stepOutcome],
    buckets: LATENCY_BUCKETS_S,
  },
  stateEntries: {
    name: 'saga.state.entries',
    kind: 'counter',
    unit: '{saga}',
    description:
      'Sagas entering a state (reported as 0 from start-up for every state of every definition)',
    attributes: [A.sagaType, A.sagaState],
  },
  stateDuration: {
    name: 'saga.state.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time a saga spent in a state, recorded when it leaves the state',
    attributes: [A.sagaType, A.sagaState],
    buckets: STATE_BUCKETS_S,
  },
  commandsSent: {
    name: 'saga.commands.sent',
    kind: 'counter',
    unit: '{command}',
    description: 'Commands sent to participants (every attempt)',
    attributes: [A.sagaType, A.step, A.stepKind, A.participant, A.commandType],
  },
  stepRetries: {
    name: 'saga.step.retries',
    kind: 'counter',
    unit: '{command}',
    description: 'Commands sent again after a failed or timed-out attempt (attempt > 1)',
    attributes: [A.sagaType, A.step, A.stepKind, A.participant, A.commandType],
  },
  stepTimeouts: {
    name: 'saga.step.timeouts',
    kind: 'counter',
    unit: '{command}',
    description: 'Step or compensation attempts whose deadline passed without a reply',
    attributes: [A.sagaType, A.step, A.stepKind],
  },
  timersPending: {
    name: 'saga.timers.pending',
    kind: 'gauge',
    unit: '{timer}',
    description: 'Durable timers armed in the store',
    attributes: [],
  },
  timersOverdue: {
    name: 'saga.timers.overdue',
    kind: 'gauge',
    unit: 's',
    description: 'How far past due the most overdue unclaimed timer is (0 when none is due)',
    attributes: [],
  },
  timerLag: {
    name: 'saga.timer.lag',
    kind: 'histogram',
    unit: 's',
    description: 'How late timers fire: claim time minus due time',
    attributes: [],
    buckets: LATENCY_BUCKETS_S,
  },
  outboxBacklog: {
    name: 'saga.outbox.backlog',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages written by steps and not yet published',
    attributes: [],
  },
  outboxLatency: {
    name: 'saga.outbox.publish.latency',
    kind: 'histogram',
    unit: 's',
    description: 'Time from a step writing a message to the outbox to its publication on Kafka',
    attributes: [],
    buckets: LATENCY_BUCKETS_S,
  },
  dlqMessages: {
    name: 'saga.dlq.messages',
    kind: 'counter',
    unit: '{message}',
    description: 'Messages the orchestrator sent to the dead-letter topic',
    attributes: [A.dlqSource, A.dlqCode],
  },
  consumerLag: {
    name: 'saga.kafka.consumer.lag',
    kind: 'gauge',
    unit: '{message}',
    description: 'Messages a consumer group has yet to commit, per topic',
    attributes: [A.consumerGroup, A.messagingDestination],
  },
});

/** The participant SDK's metrics. */
export const PARTICIPANT_METRIC_DEFINITIONS = define({
  handled: {
    name: 'saga.participant.commands.handled',
    kind: 'counter',
    unit: '{command}',
    description: 'Commands handled to a reply',
    attributes: [A.participant, A.commandType, A.outcome],
  },
  failed: {
    name: 'saga.participant.commands.failed',
    kind: 'counter',
    unit: '{command}',
    description: 'Commands replied with a failure',
    attributes: [A.participant, A.commandType, A.errorCode, A.retryable],
  },
  duplicates: {
    name: 'saga.participant.commands.duplicates',
    kind: 'counter',
    unit: '{command}',
    description: 'Re-delivered commands answered from the ledger',
    attributes: [A.participant, A.commandType],
  },
  expired: {
    name: 'saga.participant.commands.expired',
    kind: 'counter',
    unit: '{command}',
    description: 'Expired commands dropped',
    attributes: [A.participant, A.commandType],
  },
  deadLettered: {
    name: 'saga.participant.commands.dead_lettered',
    kind: 'counter',
    unit: '{message}',
    description: 'Messages sent to the dead-letter topic',
    attributes: [A.participant, A.dlqCode],
  },
  retries: {
    name: 'saga.participant.handler.retries',
    kind: 'counter',
    unit: '{retry}',
    description: 'In-process handler retries',
    attributes: [A.participant, A.commandType],
  },
  handlerDuration: {
    name: 'saga.participant.handler.duration',
    kind: 'histogram',
    unit: 'ms',
    description: 'Time in the handler per delivery (all tries)',
    attributes: [A.participant, A.commandType],
  },
});

/**
 * The participant metric names keyed as the SDK has always used them
 * (`PARTICIPANT_METRICS.handled` …).
 */
export const PARTICIPANT_METRICS = {
  handled: PARTICIPANT_METRIC_DEFINITIONS.handled.name,
  failed: PARTICIPANT_METRIC_DEFINITIONS.failed.name,
  duplicates: PARTICIPANT_METRIC_DEFINITIONS.duplicates.name,
  expired: PARTICIPANT_METRIC_DEFINITIONS.expired.name,
  deadLettered: PARTICIPANT_METRIC_DEFINITIONS.deadLettered.name,
  retries: PARTICIPANT_METRIC_DEFINITIONS.retries.name,
  handlerDuration: PARTICIPANT_METRIC_DEFINITIONS.handlerDuration.name,
} as const;

/** Span names. */
export const SPAN_NAMES = {
  /** The saga's root span (the start): `saga order`. */
  sagaStart: (sagaType: string) => `saga ${sagaType}`,
  /** A span over the whole saga, when it reaches a final or parked status: `saga order completed`. */
  sagaOutcome: (sagaType: string, status: string) => `saga ${sagaType} ${status}`,
  /** One command → reply: `step reserveInventory` / `compensate reserveInventory`. */
  step: (step: string, kind: 'action' | 'compensation') =>
    `${kind === 'action' ? 'step' : 'compensate'} ${step}`,
  /** The orchestrator taking in a participant's reply: `reply ReserveItems`. */
  reply: (commandType: string) => `reply ${commandType}`,
  /** The participant's handler span: `inventory ReserveItems`. */
  participantCommand: (participant: string, commandType: string) => `${participant} ${commandType}`,
} as const;

/** Every metric of the project. */
export const ALL_METRICS: readonly MetricDefinition[] = [
  ...Object.values(ORCHESTRATOR_METRICS),
  ...Object.values(PARTICIPANT_METRIC_DEFINITIONS),
];

/** A name or attribute as Prometheus shows it: anything but `[a-zA-Z0-9_:]` becomes `_`. */
export function prometheusLabel(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/gu, '_').replace(/_{2,}/gu, '_');
}

/**
 * The name of a metric's series on `/metrics`: `saga_sagas_started_total` for a counter,
 * `saga_step_duration` (add `_bucket`, `_sum`, `_count`) for a histogram.
 */
export function prometheusName(metric: MetricDefinition): string {
  const base = prometheusLabel(metric.name);
  return metric.kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
}

/** The Prometheus label of an attribute, e.g. `saga_type`. */
export const LABELS = Object.fromEntries(
  Object.entries(ATTRIBUTES).map(([key, value]) => [key, prometheusLabel(value)]),
) as { readonly [K in keyof typeof ATTRIBUTES]: string };
