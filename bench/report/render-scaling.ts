/**
 * The Markdown of the scale curve (CPU per saga and p99 against sagas in flight) and of one
 * against two orchestrator processes; `renderMarkdown` places them.
 */
import { markdownTable } from 'markdown-table';
import type { ProcessScaling, ScaleCurve } from '../harness/results.js';
import { RAMP_MAX_P99_MS, type Measurement } from '../harness/session-types.js';

const num = (value: number | undefined, digits = 0) =>
  value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The sagas/s the issue asked about, for the cores estimate. */
const ASKED_SAGAS_PER_SEC = 3_000;

export function renderScaleCurve(curve: ScaleCurve): string[] {
  const lines = ['', '## Scale curve (one orchestrator process, closed loop)', ''];
  lines.push(
    `Each point: ${curve.warmupS} s warm-up, ${curve.measureS} s measured, no drain between points. ` +
      '"CPU ms/saga" is the orchestrator process\'s CPU time over the sagas completed in the window.' +
      (curve.stoppedAt === undefined
        ? ''
        : ` Stopped after ${num(curve.stoppedAt)} in flight: its p99 passed the step-timeout guard.`),
  );
  lines.push('');
  lines.push(
    markdownTable(
      [
        [
          'in flight',
          'sagas/s',
          'CPU ms/saga',
          'orchestrator CPU',
          'event loop busy',
          'p50 ms',
          'p99 ms',
        ],
        ...curve.points.map((p) => [
          num(p.inFlight),
          num(p.sagasPerSec),
          num(p.cpuMsPerSaga, 2),
          `${num(p.cpuPercent)} %`,
          `${num(p.eventLoopUtilization * 100)} %`,
          num(p.p50Ms, 1),
          num(p.p99Ms, 1),
        ]),
      ],
      { align: ['r', 'r', 'r', 'r', 'r', 'r', 'r'] },
    ),
  );
  // The cheapest point among those inside the step-timeout guard (all of them if none is).
  const withCost = curve.points.filter((p) => p.cpuMsPerSaga !== undefined);
  const inGuard = withCost.filter((p) => p.p99Ms <= RAMP_MAX_P99_MS);
  const measured = inGuard.length > 0 ? inGuard : withCost;
  const cheapest = measured.reduce<(typeof measured)[number] | undefined>(
    (best, p) =>
      !best || (p.cpuMsPerSaga ?? Infinity) < (best.cpuMsPerSaga ?? Infinity) ? p : best,
    undefined,
  );
  if (cheapest?.cpuMsPerSaga !== undefined) {
    const cores = (ASKED_SAGAS_PER_SEC * cheapest.cpuMsPerSaga) / 1000;
    lines.push(
      '',
      `By this curve, ${num(ASKED_SAGAS_PER_SEC)} sagas/s would take ${num(ASKED_SAGAS_PER_SEC)} × ` +
        `${num(cheapest.cpuMsPerSaga, 2)} ms = **${num(cores, 1)} cores of orchestrator CPU** at its ` +
        `cheapest point (${num(cheapest.inFlight)} in flight, p99 ${num(cheapest.p99Ms)} ms), if ` +
        'processes scale out as the two-process measurement shows; Kafka, Redis and the participants ' +
        'come on top.',
    );
  }
  return lines;
}

const cpuMs = (m: { process: Measurement['sideA']; load: Measurement['load'] }) =>
  m.load.completed === 0
    ? undefined
    : (m.process.cpuUserMs + m.process.cpuSystemMs) / m.load.completed;

export function renderProcessScaling(scaling: ProcessScaling): string[] {
  const { one, two } = scaling;
  const lines = ['', '## One vs two orchestrator processes (saturation)', ''];
  lines.push(
    'Two processes on the same topics, consumer group and Redis keys (reply partitions and, with ' +
      'them, store shards shared by the consumer group, as in production), each running a load driver with ' +
      'half of the sagas in flight; a saga ends in whichever process holds its reply partition and ' +
      'is counted by the one that started it. One process: the `orchestrator` session of this run. ' +
      "A process's CPU ms/saga is its CPU time over the sagas its driver completed.",
  );
  lines.push('');
  const rows: string[][] = [
    [
      'setup',
      'process',
      'in flight',
      'sagas/s',
      'ended in the other',
      'CPU',
      'CPU ms/saga',
      'p99 ms',
    ],
  ];
  if (one) {
    rows.push([
      'one process',
      '1',
      num(one.inFlight),
      num(one.sagasPerSec),
      '',
      one.cpuPercent === undefined ? '' : `${num(one.cpuPercent)} %`,
      num(one.cpuMsPerSaga, 2),
      num(one.p99Ms),
    ]);
  } else {
    rows.push(['one process', '1', 'not measured', '', '', '', '', '']);
  }
  const inFlight = two.mode.kind === 'closed' ? two.mode.inFlight : undefined;
  const processes = two.processes ?? [{ process: two.sideA, load: two.load, endedElsewhere: 0 }];
  processes.forEach((p, i) => {
    rows.push([
      'two processes',
      String(i + 1),
      inFlight === undefined ? '' : num(Math.floor(inFlight / processes.length)),
      num(Math.round(p.load.completed / Math.max(0.001, p.load.seconds))),
      `${num((p.endedElsewhere / Math.max(1, p.load.completed + p.load.endedOtherwise)) * 100)} %`,
      `${num(p.process.cpuPercent)} %`,
      num(cpuMs(p), 2),
      num(p.load.latency.p99Ms),
    ]);
  });
  const totalCpuMs = processes.reduce(
    (sum, p) => sum + p.process.cpuUserMs + p.process.cpuSystemMs,
    0,
  );
  rows.push([
    'two processes',
    'total',
    num(inFlight),
    num(two.sagasPerSec),
    '',
    `${num(processes.reduce((sum, p) => sum + p.process.cpuPercent, 0))} %`,
    two.load.completed === 0 ? '–' : num(totalCpuMs / two.load.completed, 2),
    num(two.load.latency.p99Ms),
  ]);
  lines.push(markdownTable(rows, { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] }));
  if (one && one.sagasPerSec > 0) {
    lines.push(
      '',
      `Two processes completed ${num((two.sagasPerSec / one.sagasPerSec) * 100)} % of one process's ` +
        `sagas/s on the same machine (${two.machine.cores} cores, shared with Kafka, Redis and the participants).`,
    );
  }
  return lines;
}
