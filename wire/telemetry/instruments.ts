/**
 * OpenTelemetry instruments made from the definitions in `metric-names.ts`, so the name, unit,
 * description and buckets of an instrument are written once.
 */
import type { Attributes, Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
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

/**
 * Makes a histogram's series for `attributes` exist with nothing in it (`_count` 0, every bucket
 * 0), so that a panel shows 0 rather than "No data" before the first observation, and so that
 * the first observation counts in `rate()` (a series that appears at 1 loses it).
 *
 * The OpenTelemetry API has no call for this (a counter has `add(0)`). The SDK
 * (`@opentelemetry/sdk-metrics` 2.x) creates a series on the first `record` for its attributes,
 * and its histogram aggregator skips NaN by design ("NaN … should not be counted"), so recording
 * NaN opens the series and counts nothing; `@opentelemetry/exporter-prometheus` then serves it
 * with zeros. test/unit/telemetry/zero-series.test.ts pins that behaviour against the SDK.
 */
export function openHistogramSeries(histogram: Histogram, attributes?: Attributes): void {
  histogram.record(Number.NaN, attributes);
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
