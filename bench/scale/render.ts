/**
 * The scale bench's results file: per orchestrator count the median over the rounds (each round's
 * figure beside it), what the CPU per saga says about more cores, and every round in run order
 * with the machine's load at the time. docs/scale-model.md reads it.
 */
import { markdownTable } from 'markdown-table';
import { COMPONENTS } from './cpu-accounts.js';
import type { RoundResult } from './round.js';

export interface ScaleResults {
  startedAt: string;
  endedAt: string;
  commit: string;
  machine: { cpuModel: string; cores: number; memoryGb: number };
  settings: {
    counts: number[];
    rounds: number;
    inFlight: number;
    warmupSeconds: number;
    measureSeconds: number;
    partitions: number;
    storeShards: number;
  };
  topology: string;
  rounds: RoundResult[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const num = (value: number, digits = 0) =>
  Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });

export interface CountSummary {
  orchestrators: number;
  sagasPerSec: number;
  roundsSagasPerSec: number[];
  cpuMsPerSaga: RoundResult['cpuMsPerSaga'];
  marginalCpuMsPerSaga: number;
  idleCpuPercent: RoundResult['idleCpuPercent'];
  /** Median CPU of one orchestrator process, % of a core (the median over its rounds' mean). */
  orchestratorCpuPercent: number;
  /** CPU the round's processes got, % of one core (the rest of the machine ran other work). */
  oursPercent: number;
  loadAverage1m: number;
}

export function summarize(results: ScaleResults): CountSummary[] {
  return results.settings.counts.map((count) => {
    const rounds = results.rounds.filter((r) => r.orchestrators === count);
    const mid = (pick: (r: RoundResult) => number) => median(rounds.map(pick));
    return {
      orchestrators: count,
      sagasPerSec: mid((r) => r.sagasPerSec),
      roundsSagasPerSec: rounds.map((r) => r.sagasPerSec),
      cpuMsPerSaga: {
        orchestrators: mid((r) => r.cpuMsPerSaga.orchestrators),
        participants: mid((r) => r.cpuMsPerSaga.participants),
        kafka: mid((r) => r.cpuMsPerSaga.kafka),
        redis: mid((r) => r.cpuMsPerSaga.redis),
        driver: mid((r) => r.cpuMsPerSaga.driver),
        total: mid((r) => r.cpuMsPerSaga.total),
      },
      marginalCpuMsPerSaga: mid((r) => r.marginalCpuMsPerSaga),
      idleCpuPercent: Object.fromEntries(
        COMPONENTS.map((c) => [c, mid((r) => r.idleCpuPercent[c])]),
      ) as RoundResult['idleCpuPercent'],
      orchestratorCpuPercent: mid(
        (r) =>
          r.orchestratorCpuPercents.reduce((sum, p) => sum + p, 0) /
          r.orchestratorCpuPercents.length,
      ),
      oursPercent: mid((r) => r.oursPercent),
      loadAverage1m: mid((r) => r.loadAverage1m),
    };
  });
}

export function renderScaleMarkdown(results: ScaleResults): string {
  const summary = summarize(results);
  const s = results.settings;
  const loads = results.rounds.map((r) => r.loadAverage1m);
  const lines = [
    `# Scale bench, ${results.startedAt.slice(0, 10)}`,
    '',
    `\`npm run bench:scale\` at ${results.commit}, ${results.startedAt} – ${results.endedAt}, on ` +
      `${results.machine.cores} cores (${results.machine.cpuModel}, ${results.machine.memoryGb} GB). ` +
      `Topology: ${results.topology}. Each round: fresh topics (${s.partitions} partitions, ` +
      `replication factor 3) and keys (${s.storeShards} store shards), N orchestrator processes and ` +
      `one process per example participant, ${num(s.inFlight)} order sagas kept in flight through ` +
      `\`<prefix>.requests\` (ends read from \`<prefix>.events\`), ${s.warmupSeconds} s warm-up, ` +
      `${s.measureSeconds} s measured. Rounds interleaved (${s.counts.join(', ')}, ` +
      `${s.counts.join(', ')}, …), ${s.rounds} of each. Load average (1 min) at the end of the ` +
      `rounds' windows: ${num(Math.min(...loads), 2)} – ${num(Math.max(...loads), 2)}.`,
    '',
    '## Median per orchestrator count',
    '',
    'CPU ms per saga: CPU time of the processes over the measured window / sagas that reached rest ' +
      'in it (`/proc/<pid>/stat`).',
    '',
    markdownTable(
      [
        [
          'orchestrators',
          'sagas/s (median)',
          'rounds',
          'vs 1',
          'CPU ms/saga: orchestrators',
          'participants',
          'Kafka (3)',
          'Redis (6)',
          'driver',
          'total',
          'total above idle',
          'one orchestrator, % of a core',
          'all processes, % of a core',
          'load avg',
        ],
        ...summary.map((c) => [
          String(c.orchestrators),
          num(c.sagasPerSec, 1),
          c.roundsSagasPerSec.map((v) => num(v, 1)).join(', '),
          `${num(c.sagasPerSec / (summary[0]?.sagasPerSec ?? Number.NaN), 2)}×`,
          ...COMPONENTS.map((component) => num(c.cpuMsPerSaga[component], 2)),
          num(c.cpuMsPerSaga.total, 2),
          num(c.marginalCpuMsPerSaga, 2),
          num(c.orchestratorCpuPercent, 1),
          num(c.oursPercent, 0),
          num(c.loadAverage1m, 2),
        ]),
      ],
      { align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
    ),
    '',
    '"Total above idle" subtracts what the same processes use with no saga at all (below). ' +
      '"All processes": the CPU the round\'s processes got; the machine was busy throughout, so ' +
      'sagas/s follows the share of it they got (sagas/s ≈ their CPU ms per second / total CPU ms ' +
      'per saga).',
    '',
    '## Fixed cost: every process up, no saga (median, % of one core)',
    '',
    "Measured 3 s after the round's processes were ready, over 5 s (the end of their start-up " +
      'may still show).',
    '',
    markdownTable(
      [
        ['N', ...COMPONENTS, 'all'],
        ...summary.map((c) => [
          String(c.orchestrators),
          ...COMPONENTS.map((component) => num(c.idleCpuPercent[component], 1)),
          num(
            COMPONENTS.reduce((sum, component) => sum + c.idleCpuPercent[component], 0),
            1,
          ),
        ]),
      ],
      { align: ['r', 'r', 'r', 'r', 'r', 'r', 'r'] },
    ),
    '',
    ...coresNote(summary, results.machine.cores),
    '',
    '## Every round, in run order',
    '',
    markdownTable(
      [
        [
          'round',
          'orchestrators',
          'sagas/s',
          'sagas',
          'CPU ms/saga (orch. / total)',
          'each orchestrator, % of a core',
          'machine busy, % of a core',
          'ours',
          'load avg',
          'ended as',
        ],
        ...results.rounds.map((r) => [
          String(r.round),
          String(r.orchestrators),
          num(r.sagasPerSec, 1),
          num(r.sagasEnded),
          `${num(r.cpuMsPerSaga.orchestrators, 2)} / ${num(r.cpuMsPerSaga.total, 2)}`,
          r.orchestratorCpuPercents.map((p) => num(p, 0)).join(' / '),
          num(r.machineBusyPercent, 0),
          num(r.oursPercent, 0),
          num(r.loadAverage1m, 2),
          Object.entries(r.endedByEvent)
            .map(([event, count]) => `${event} ${count}`)
            .join(', '),
        ]),
      ],
      { align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
    ),
    '',
  ];
  return lines.join('\n');
}

/** What the CPU per saga says about a machine with more cores. */
function coresNote(summary: readonly CountSummary[], cores: number): string[] {
  const measured = summary.filter((c) => c.cpuMsPerSaga.total > 0);
  if (measured.length === 0) return [];
  const cheapest = Math.min(...measured.map((c) => c.cpuMsPerSaga.total));
  const marginal = Math.min(...measured.map((c) => c.marginalCpuMsPerSaga).filter((v) => v > 0));
  const orchestratorShare = median(measured.map((c) => c.cpuMsPerSaga.orchestrators)) / cheapest;
  return [
    '## What the CPU per saga implies for more cores',
    '',
    `The whole topology (orchestrators, participants, brokers, Redis nodes, driver) used ` +
      `${num(cheapest, 2)} CPU ms per saga at its cheapest count, ${num(marginal, 2)} ms above ` +
      `its idle cost: one core carries about **${num(1000 / cheapest, 0)} sagas/s** of it as ` +
      `measured, ${num(1000 / marginal, 0)} once the fixed cost is paid, so N cores about N × ` +
      `that while the work spreads (${cores} cores here: at most ` +
      `${num((cores * 1000) / cheapest, 0)} sagas/s, and only if nothing else ran). The ` +
      `orchestrators' part is ${num(orchestratorShare * 100, 0)} % of it. A limit of the ` +
      'layout (partitions, shards; docs/scale-model.md) binds before cores run out.',
  ];
}
