/**
 * The memory-flatness run: find saturation, then offer half of it for a long time while the
 * orchestrator's process samples its own memory every few seconds (after a full GC, with
 * `--expose-gc`, so the heap figure is what is live, not what is waiting for collection).
 *
 * "Flat" means: the least-squares slope, over the samples after the first minute (warm-up:
 * caches, JIT, connection buffers), predicts less than 5 % growth of the mean over that span,
 * for both the live heap and RSS.
 */
import { linearRegression } from 'simple-statistics';
import type { MemorySample } from '../measure/process-stats.js';
import type { BenchResults, SoakResult } from './results.js';
import type { BenchSettings } from './run-benchmark.js';
import { Session } from './session.js';
import type { BenchContext } from './session-types.js';
import { DEFAULT_PARTITIONS } from './session-infra.js';

const SAMPLE_EVERY_MS = 5_000;
const WARM_UP_S = 60;
const FLAT_PERCENT = 5;

export async function runSoak(
  ctx: BenchContext,
  settings: Pick<BenchSettings, 'inFlight' | 'maxInFlight' | 'soakSeconds'>,
  results: BenchResults,
  timing: { warmupS: number; measureS: number },
): Promise<SoakResult> {
  const seconds = settings.soakSeconds;
  const session = await Session.open(
    ctx,
    {
      label: 'soak',
      kind: {
        kind: 'orchestrator',
        ledger: 'redis',
        participants: true,
      },
      replyPartitions: DEFAULT_PARTITIONS,
    },
    ['--expose-gc'],
  );
  try {
    let inFlight = settings.inFlight === 'auto' ? undefined : settings.inFlight;
    if (inFlight === undefined) {
      const search = await session.findSaturation(settings.maxInFlight);
      results.saturationSearches.push({ session: 'soak', ...search });
      inFlight = search.inFlight;
    }
    const saturated = await session.measure({
      label: `saturation (${inFlight} in flight)`,
      mode: { kind: 'closed', inFlight },
      ...timing,
    });
    results.measurements.push(saturated);
    const rate = Math.max(1, Math.round(saturated.sagasPerSec / 2));
    await session.sideA.call('memorySamplingStart', { everyMs: SAMPLE_EVERY_MS });
    const measurement = await session.measure({
      label: `soak at ${rate}/s (half of saturation)`,
      mode: { kind: 'open', ratePerSec: rate },
      warmupS: 0,
      measureS: seconds,
    });
    results.measurements.push(measurement);
    const samples = await session.sideA.call<MemorySample[]>('memorySamplingStop');
    return { offeredPerSec: rate, seconds, measurement, samples, ...flatness(samples) };
  } finally {
    await session.close();
  }
}

export function flatness(
  samples: readonly MemorySample[],
): Pick<SoakResult, 'rssSlopeMbPerMin' | 'heapSlopeMbPerMin' | 'heapGrowthPercentOfMean' | 'flat'> {
  const settled = samples.filter((sample) => sample.t >= WARM_UP_S);
  const used = settled.length >= 3 ? settled : samples;
  const first = used[0];
  const last = used[used.length - 1];
  if (!first || !last || used.length < 2) {
    return { rssSlopeMbPerMin: 0, heapSlopeMbPerMin: 0, heapGrowthPercentOfMean: 0, flat: false };
  }
  const spanMin = (last.t - first.t) / 60;
  const slope = (pick: (s: MemorySample) => number) =>
    linearRegression(used.map((sample) => [sample.t / 60, pick(sample)])).m;
  const mean = (pick: (s: MemorySample) => number) =>
    used.reduce((sum, sample) => sum + pick(sample), 0) / used.length;
  const heapSlope = slope((s) => s.heapUsedMb);
  const rssSlope = slope((s) => s.rssMb);
  const heapGrowth = ((heapSlope * spanMin) / mean((s) => s.heapUsedMb)) * 100;
  const rssGrowth = ((rssSlope * spanMin) / mean((s) => s.rssMb)) * 100;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    rssSlopeMbPerMin: round(rssSlope),
    heapSlopeMbPerMin: round(heapSlope),
    heapGrowthPercentOfMean: Math.round(heapGrowth * 10) / 10,
    flat: heapGrowth < FLAT_PERCENT && rssGrowth < FLAT_PERCENT,
  };
}
