/**
 * The acceptance of a scenario and the tables of a run: 0 lost, 0 double effects, 0 stuck, every
 * saga started, and the completed/compensated split within 2 % (points of the sagas run) of the
 * baseline of the same seed.
 */
import { markdownTable } from 'markdown-table';

/** The figures of one scenario, as written to `bench/results/chaos-<date>.json`. */
export interface ScenarioResult {
  name: string;
  fault: string;
  sagas: number;
  started: number;
  notStarted: number;
  byStatus: Record<string, number>;
  /** The baseline's figures of the same seed (from this run's baseline, else from the plan). */
  baselineByStatus: Record<string, number>;
  /** Started sagas the store does not know. */
  lost: number;
  /** From the participants' state: an effect or compensation twice, an effect never undone… */
  doubleEffects: number;
  /** Sagas still running when the bound passed. */
  stuck: number;
  /** From the fault's end to the first saga that ended after it (null: none had to). */
  recoverySeconds: number | null;
  outageSeconds: number | null;
  /** The longest time in the run during which sagas ran and none ended. */
  longestStallSeconds: number;
  runSeconds: number;
  failedStartRequests: number;
  outboxLeft: number;
  /** Figures that show the fault happened (kills, reverted sagas, copies…). */
  evidence: Record<string, number>;
  notes: string[];
  /** The first problems found, for a failed scenario. */
  problems: string[];
  seconds: number;
  acceptance: { ok: boolean; broken: string[] };
}

/** The largest gap allowed between a scenario's split and the baseline's, in points. */
export const SPLIT_TOLERANCE = 0.02;

export function judge(result: Omit<ScenarioResult, 'acceptance'>): ScenarioResult['acceptance'] {
  const broken: string[] = [];
  if (result.lost > 0) broken.push(`${result.lost} lost`);
  if (result.doubleEffects > 0) broken.push(`${result.doubleEffects} double effects`);
  if (result.stuck > 0) broken.push(`${result.stuck} stuck`);
  if (result.notStarted > 0) broken.push(`${result.notStarted} never started`);
  if (result.outboxLeft > 0) broken.push(`${result.outboxLeft} left in the outbox`);
  for (const status of ['completed', 'compensated']) {
    const share = (result.byStatus[status] ?? 0) / result.sagas;
    const baseline = (result.baselineByStatus[status] ?? 0) / result.sagas;
    if (Math.abs(share - baseline) > SPLIT_TOLERANCE + 1e-9) {
      broken.push(
        `${status} ${pct(share)} vs baseline ${pct(baseline)} (more than ${pct(SPLIT_TOLERANCE)} apart)`,
      );
    }
  }
  return { ok: broken.length === 0, broken };
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

const split = (byStatus: Record<string, number>) =>
  Object.entries(byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');

/** The table of a run, in Markdown (printed and written beside the JSON). */
export function renderTable(results: readonly ScenarioResult[]): string {
  return markdownTable([
    [
      'scenario',
      'sagas',
      'ended (by status)',
      'baseline',
      'lost',
      'double effects',
      'stuck',
      'outage s',
      'recovery s',
      'longest stall s',
      'verdict',
    ],
    ...results.map((r) => [
      r.name,
      String(r.started === r.sagas ? r.sagas : `${r.started}/${r.sagas}`),
      split(r.byStatus),
      split(r.baselineByStatus),
      String(r.lost),
      String(r.doubleEffects),
      String(r.stuck),
      r.outageSeconds === null ? '–' : String(r.outageSeconds),
      r.recoverySeconds === null ? '–' : String(r.recoverySeconds),
      String(r.longestStallSeconds),
      r.acceptance.ok ? 'pass' : `FAIL: ${r.acceptance.broken.join('; ')}`,
    ]),
  ]);
}
