/**
 * The targets, checked against what this run measured (a target the run did not measure
 * is listed with `met: undefined`, never guessed).
 */
import type { BenchResults, TargetCheck } from './results.js';
import type { Measurement } from './session.js';

export const TARGETS = {
  sagasPerSec: 3_000,
  shareOfTransportLimit: 0.5,
  p99AtOneThousandMs: 100,
} as const;

/** The first saturation measurement of a session, by the session's label. */
export function saturationOf(results: BenchResults, session: string): Measurement | undefined {
  return results.measurements.find((m) => m.session === session && m.mode.kind === 'closed');
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const orchestrator = saturationOf(results, 'orchestrator');
  const limit = saturationOf(results, 'transport: Kafka + Redis');
  const kafkaOnly = saturationOf(results, 'transport: Kafka only');
  if (orchestrator) {
    checks.push({
      target: `≥ ${TARGETS.sagasPerSec} three-step sagas/s`,
      measured: `${orchestrator.sagasPerSec} sagas/s`,
      met: orchestrator.sagasPerSec >= TARGETS.sagasPerSec,
    });
  }
  if (orchestrator && limit) {
    const share = orchestrator.sagasPerSec / Math.max(1, limit.sagasPerSec);
    checks.push({
      target: `≥ ${TARGETS.shareOfTransportLimit * 100} % of the transport limit (Kafka + Redis raw)`,
      measured: `${Math.round(share * 100)} % (${orchestrator.sagasPerSec} / ${limit.sagasPerSec})`,
      met: share >= TARGETS.shareOfTransportLimit,
    });
  }
  if (orchestrator && kafkaOnly) {
    const share = orchestrator.sagasPerSec / Math.max(1, kafkaOnly.sagasPerSec);
    checks.push({
      target: `(for reference) share of the Kafka-only limit`,
      measured: `${Math.round(share * 100)} % (${orchestrator.sagasPerSec} / ${kafkaOnly.sagasPerSec})`,
      met: undefined,
    });
  }
  const atThousand = results.measurements.find(
    (m) =>
      m.session.startsWith('orchestrator') && m.mode.kind === 'open' && m.mode.ratePerSec === 1000,
  );
  if (atThousand) {
    checks.push({
      target: `p99 < ${TARGETS.p99AtOneThousandMs} ms at 1,000 sagas/s offered`,
      measured:
        atThousand.load.completed === 0
          ? `no saga completed within the ${Math.round(atThousand.seconds)} s window (over capacity)`
          : `p99 ${atThousand.load.latency.p99Ms} ms (completed ${atThousand.sagasPerSec}/s)`,
      met:
        atThousand.load.latency.p99Ms < TARGETS.p99AtOneThousandMs && atThousand.sagasPerSec >= 950,
    });
  }
  if (results.soak) {
    const soak = results.soak;
    checks.push({
      target: 'orchestrator memory flat over the soak at half of saturation',
      measured:
        `heap ${soak.heapSlopeMbPerMin} MB/min (${soak.heapGrowthPercentOfMean} % of mean over the run), ` +
        `RSS ${soak.rssSlopeMbPerMin} MB/min`,
      met: soak.flat,
    });
  }
  return checks;
}
