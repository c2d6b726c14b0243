/**
 * OpenTelemetry instruments made from the definitions in `metric-names.ts`, so the name, unit,
 * description and buckets of an instrument are written once.
 */
import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { ORCHESTRATOR_METRICS, type MetricDefinition } from './metric-names.js';

export function counterOf(meter: Meter, metric: MetricDefinition): Counter {
  return meter.createCounter(metric.name, { unit: metric.unit, description: metric.description });
}

export function histogramOf(meter: Meter, metric: MetricDefinition): Histogram {
  return meter.createHistogram(metric.name, {
    unit: metric.unit,
    description: metric.description,
    ...(metric.buckets ? { advice: { explicitBucketBoundaries: [...metric.buckets] } } : {}),
  });
}

export function gaugeOf(meter: Meter, metric: MetricDefinition): ObservableGauge {
  return meter.createObservableGauge(metric.name, {
    unit: metric.unit,
    description: metric.description,
  });
}

/** The orchestrator's synchronous instruments (the gauges are observed, see `gauges.ts`). */
export function orchestratorInstruments(meter: Meter) {
  const M = ORCHESTRATOR_METRICS;
  return {
    sagasStarted: counterOf(meter, M.sagasStarted),
    sagaOutcomes: counterOf(meter, M.sagaOutcomes),
    inputsApplied: counterOf(meter, M.inputsApplied),
    inputsIgnored: counterOf(meter, M.inputsIgnored),
    stepDuration: histogramOf(meter, M.stepDuration),
    stateEntries: counterOf(meter, M.stateEntries),
    stateDuration: histogramOf(meter, M.stateDuration),
    commandsSent: counterOf(meter, M.commandsSent),
    stepRetries: counterOf(meter, M.stepRetries),
    stepTimeouts: counterOf(meter, M.stepTimeouts),
    timerLag: histogramOf(meter, M.timerLag),
    outboxLatency: histogramOf(meter, M.outboxLatency),
    dlqMessages: counterOf(meter, M.dlqMessages),
  };
}

export type OrchestratorInstruments = ReturnType<typeof orchestratorInstruments>;
