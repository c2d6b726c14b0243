/**
 * A real OpenTelemetry metrics SDK whose reader the test collects on demand, to assert on the
 * counters the SDK under test adds to.
 */
import type { Meter } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface CollectingMeter {
  meter: Meter;
  /** The sum of every data point of each counter (and the count of each histogram). */
  totals(): Promise<Record<string, number>>;
}

export function collectingMeter(): CollectingMeter {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('test'),
    async totals() {
      const { resourceMetrics } = await reader.collect();
      const totals: Record<string, number> = {};
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          let total = 0;
          for (const point of metric.dataPoints) {
            const value = point.value as number | { count: number };
            total += typeof value === 'number' ? value : value.count;
          }
          totals[metric.descriptor.name] = total;
        }
      }
      return totals;
    },
  };
}
