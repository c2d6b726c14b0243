/**
 * Start-to-completed latencies in an HDR histogram (microsecond resolution, 3 significant
 * digits), so p99 over hundreds of thousands of sagas costs a few kilobytes and no sorting.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

const MICROS_PER_MS = 1000;

const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    // One hour in µs: a saga slower than that is clamped, not lost.
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

export class LatencyRecorder {
  private readonly histogram = newHistogram();

  /**
   * The latencies of several processes' recorders (each sent as {@link encode} gave it) as one
   * summary: percentiles of the union, not an average of percentiles.
   */
  static mergedSummary(encoded: readonly string[]): LatencySummary {
    const merged = new LatencyRecorder();
    for (const text of encoded) merged.histogram.add(hdr.decodeFromCompressedBase64(text));
    return merged.summary();
  }

  record(ms: number): void {
    const micros = Math.max(1, Math.round(ms * MICROS_PER_MS));
    this.histogram.recordValue(Math.min(micros, 3_600_000_000));
  }

  reset(): void {
    this.histogram.reset();
  }

  /** The histogram, compressed, for {@link LatencyRecorder.mergedSummary} in another process. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const ms = (micros: number) => Math.round((micros / MICROS_PER_MS) * 100) / 100;
    return {
      count: h.totalCount,
      p50Ms: ms(h.getValueAtPercentile(50)),
      p95Ms: ms(h.getValueAtPercentile(95)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      maxMs: ms(h.maxValue),
      meanMs: ms(h.totalCount === 0 ? 0 : h.mean),
    };
  }
}
