/**
 * PromQL built from the names module: every metric and label in a dashboard or an alert comes
 * from `wire/telemetry/metric-names.ts`, so a renamed metric breaks the build, not a
 * chart. Grafana's `$__rate_interval` and `$__range` are left for Grafana to fill.
 */
import {
  LABELS,
  ORCHESTRATOR_METRICS,
  PARTICIPANT_METRIC_DEFINITIONS,
  prometheusName,
  type MetricDefinition,
} from '../../wire/telemetry/metric-names.js';

export const M = ORCHESTRATOR_METRICS;
export const P = PARTICIPANT_METRIC_DEFINITIONS;
export const L = LABELS;

/** Label matchers: `{ saga_type: 'order' }` → `saga_type="order"`; a RegExp value → `=~`. */
export type Matchers = Readonly<Record<string, string | RegExp>>;

function selector(name: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([label, value]) =>
    value instanceof RegExp
      ? `${label}=~${JSON.stringify(value.source)}`
      : `${label}=${JSON.stringify(value)}`,
  );
  return parts.length > 0 ? `${name}{${parts.join(',')}}` : name;
}

/** A gauge's or counter's series. */
export function series(metric: MetricDefinition, matchers?: Matchers): string {
  return selector(prometheusName(metric), matchers);
}

const by = (labels: readonly string[]) => (labels.length > 0 ? ` by (${labels.join(', ')})` : '');

/** Per-second rate of a counter, summed by `labels`. */
export function rate(
  metric: MetricDefinition,
  labels: readonly string[] = [],
  matchers?: Matchers,
  window = '$__rate_interval',
): string {
  return `sum${by(labels)} (rate(${series(metric, matchers)}[${window}]))`;
}

/** How much a counter grew over `window`, summed by `labels`. */
export function increase(
  metric: MetricDefinition,
  labels: readonly string[] = [],
  matchers?: Matchers,
  window = '$__range',
): string {
  return `sum${by(labels)} (increase(${series(metric, matchers)}[${window}]))`;
}

/** A gauge aggregated by `labels` (`sum` unless told otherwise). */
export function gauge(
  metric: MetricDefinition,
  labels: readonly string[] = [],
  matchers?: Matchers,
  aggregation: 'sum' | 'max' = 'sum',
): string {
  return `${aggregation}${by(labels)} (${series(metric, matchers)})`;
}

/** The `q` quantile (0–1) of a histogram, by `labels`. */
export function quantile(
  q: number,
  metric: MetricDefinition,
  labels: readonly string[] = [],
  matchers?: Matchers,
  window = '$__rate_interval',
): string {
  const name = `${prometheusName(metric)}_bucket`;
  return `histogram_quantile(${q}, sum${by([...labels, 'le'])} (rate(${selector(name, matchers)}[${window}])))`;
}

/** A regular expression matching `text` literally (for `=~` matchers). */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** Observations per second of a histogram (its `_count`), summed by `labels`. */
export function countRate(
  metric: MetricDefinition,
  labels: readonly string[] = [],
  matchers?: Matchers,
  window = '$__rate_interval',
): string {
  return `sum${by(labels)} (rate(${selector(`${prometheusName(metric)}_count`, matchers)}[${window}]))`;
}
