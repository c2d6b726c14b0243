/**
 * A run's results as Markdown: the machine and its load, the targets, then one table per kind of
 * measurement, Redis memory, the soak, and the CPU profile summary.
 */
import { markdownTable } from 'markdown-table';
import type { BenchResults } from '../harness/results.js';
import type { Measurement } from '../harness/session-types.js';
import { renderProcessScaling, renderScaleCurve } from './render-scaling.js';

const num = (value: number | undefined, digits = 0) =>
  value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits });
const pct = (value: number | undefined) => (value === undefined ? '–' : `${num(value)} %`);

function offered(m: Measurement): string {
  if (m.mode.kind === 'closed') return `${num(m.mode.inFlight)} in flight`;
  if (m.mode.kind === 'open') return `${num(m.mode.ratePerSec)}/s`;
  return m.mode.kind;
}

/** p50, p95, p99, max; none when nothing completed in the window (latency unbounded). */
function latencyCells(m: Measurement): string[] {
  const { latency } = m.load;
  if (latency.count === 0)
    return m.mode.kind === 'idle' ? ['–', '–', '–', '–'] : ['none done', '', '', ''];
  return [latency.p50Ms, latency.p95Ms, latency.p99Ms, latency.maxMs].map((v) => num(v, 1));
}

/** CPU of everything on the machine that is none of ours (other people's tests, the OS). */
function others(m: Measurement): number {
  const ours =
    m.sideA.cpuPercent +
    (m.sideB?.cpuPercent ?? 0) +
    m.machine.redisCpuPercent +
    (m.machine.kafkaCpuPercent ?? 0);
  return Math.max(0, m.machine.busyPercent - ours);
}

function measurementTable(rows: readonly Measurement[], sideALabel: string, sideBLabel: string) {
  return markdownTable(
    [
      [
        'run',
        'offered',
        'sagas/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'records/saga',
        `${sideALabel} CPU`,
        `${sideALabel} CPU ms/saga`,
        `${sideALabel} peak RSS`,
        `${sideBLabel} CPU`,
        'Redis CPU',
        'Kafka CPU',
        'other load',
        'machine busy',
      ],
      ...rows.map((m) => [
        `${m.session}: ${m.label}`,
        offered(m),
        num(m.sagasPerSec),
        ...latencyCells(m),
        num(m.recordsPerSaga, 1),
        pct(m.sideA.cpuPercent),
        m.load.completed === 0
          ? '–'
          : num((m.sideA.cpuUserMs + m.sideA.cpuSystemMs) / m.load.completed, 2),
        `${num(m.sideA.peakRssMb)} MB`,
        pct(m.sideB?.cpuPercent),
        pct(m.machine.redisCpuPercent),
        pct(m.machine.kafkaCpuPercent),
        pct(others(m)),
        `${pct(m.machine.busyPercent)} of ${m.machine.cores * 100} %`,
      ]),
    ],
    { align: ['l', ...Array<string>(15).fill('r')] },
  );
}

export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const lines: string[] = [];
  lines.push(
    `# Benchmark ${results.startedAt.slice(0, 19).replace('T', ' ')} UTC (${results.mode})`,
  );
  lines.push('');
  lines.push(
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB; Node ${machine.node}; ` +
      `Kafka ${machine.kafkaVersion} and Redis ${machine.redisVersion} on the same machine. ` +
      `Load average at start: ${machine.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min). ` +
      `Run \`${results.runId}\`, ${results.startedAt} → ${results.finishedAt}.`,
  );
  lines.push('');
  lines.push(
    'CPU is in % of one core (this machine has ' +
      `${machine.cores * 100} %). "other load" is machine busy time that is none of the bench's ` +
      "processes, Redis or Kafka: other people's work on the shared machine. " +
      '"CPU ms/saga" is side A\'s CPU time over the sagas it completed in the window: the ' +
      'efficiency figure, steadier than sagas/s on a shared machine.',
  );
  if (results.targets.length > 0) {
    lines.push('', '## Targets (issue 13)', '');
    lines.push(
      'Ratios are between measurements of this run. A figure the run did not measure says so.',
      '',
    );
    lines.push(
      markdownTable([
        ['figure', 'measured', 'target', 'met'],
        ...results.targets.map((t) => [
          t.figure,
          t.measured,
          t.target,
          t.met === undefined ? '–' : t.met ? 'yes' : 'no',
        ]),
      ]),
    );
  }
  if (results.engineCost) {
    const cost = results.engineCost;
    lines.push('', '## The engine alone (no I/O)', '');
    lines.push(
      `CPU per saga (order saga started, then its three success replies), ${num(cost.sagas)} sagas in ` +
        `a loop in one worker process: pure engine ${cost.engineMs} ms; engine plus reply parsing, ` +
        `record decoding and write preparation ${cost.stepMs} ms. At that cost one core ` +
        `runs at most ${num(1000 / cost.stepMs)} sagas/s before any I/O.`,
    );
  }
  if (results.saturationSearches.length > 0) {
    lines.push('', '## Saturation search (in flight → completed sagas/s, p99)', '');
    lines.push(
      markdownTable([
        ['session', 'probes (3 s each)', 'chosen'],
        ...results.saturationSearches.map((search) => [
          search.session,
          search.probes
            .map((p) => `${p.inFlight} → ${num(p.sagasPerSec)}/s, p99 ${num(p.p99Ms)} ms`)
            .join('; '),
          String(search.inFlight),
        ]),
      ]),
    );
  }
  const raw = results.measurements.filter((m) => m.session.startsWith('transport'));
  const orchestrated = results.measurements.filter((m) => !m.session.startsWith('transport'));
  if (raw.length > 0) {
    lines.push('', '## Transport limit (raw kafkajs / ioredis, same records and round trips)', '');
    lines.push(measurementTable(raw, 'requester', 'responder'));
  }
  if (orchestrated.length > 0) {
    lines.push('', '## Orchestrator (three-step order sagas, trivial SDK participants)', '');
    lines.push(measurementTable(orchestrated, 'orchestrator', 'participants'));
  }
  if (results.scaleCurve) lines.push(...renderScaleCurve(results.scaleCurve));
  if (results.processScaling) lines.push(...renderProcessScaling(results.processScaling));
  const memory = results.redisMemory;
  if (memory.inFlight || memory.completed) {
    lines.push('', '## Redis memory', '');
    const rows: string[][] = [['what', 'sagas', 'bytes per saga', 'record / history / shard keys']];
    // Runs before the split was measured have no breakdown.
    const split = (b: { record: number; history: number; shard: number } | undefined) =>
      b ? `${num(b.record)} / ${num(b.history)} / ${num(b.shard)}` : '';
    if (memory.inFlight) {
      rows.push([
        'in flight: MEMORY USAGE of the store keys',
        num(memory.inFlight.sagas),
        num(memory.inFlight.keyBytesPerSaga),
        split(memory.inFlight.breakdown),
      ]);
      rows.push([
        'in flight: INFO used_memory delta (shared Redis: noisy)',
        num(memory.inFlight.sagas),
        num(memory.inFlight.usedMemoryDeltaBytesPerSaga),
        '',
      ]);
    }
    if (memory.completed) {
      rows.push([
        'completed, until retention: MEMORY USAGE of the store keys',
        num(memory.completed.sagas),
        num(memory.completed.keyBytesPerSaga),
        split(memory.completed.breakdown),
      ]);
      rows.push([
        "participants' dedupe-ledger records (3 per saga), until their TTL",
        num(memory.completed.sagas),
        num(memory.completed.ledgerBytesPerSaga),
        '',
      ]);
    }
    lines.push(markdownTable(rows, { align: ['l', 'r', 'r', 'r'] }));
  }
  if (results.soak) {
    const soak = results.soak;
    const first = soak.samples[0];
    const last = soak.samples[soak.samples.length - 1];
    lines.push('', '## Soak (orchestrator memory)', '');
    lines.push(
      `${num(soak.seconds)} s at ${num(soak.offeredPerSec)} sagas/s offered, ${soak.samples.length} samples ` +
        `(after a full GC). Heap ${first?.heapUsedMb} → ${last?.heapUsedMb} MB, RSS ${first?.rssMb} → ` +
        `${last?.rssMb} MB. Slope after the first minute: heap ${soak.heapSlopeMbPerMin} MB/min ` +
        `(${soak.heapGrowthPercentOfMean} % of the mean over the run), RSS ${soak.rssSlopeMbPerMin} MB/min: ` +
        `${soak.flat ? 'flat' : 'NOT flat'}.`,
    );
  }
  if (results.profile) {
    const { summary, file } = results.profile;
    lines.push('', "## Where the orchestrator's time goes (CPU profile at saturation)", '');
    lines.push(
      `Profile \`${file}\`: ${num(summary.durationMs)} ms, of which ${num(summary.busyMs)} ms busy. ` +
        'Self time; V8 builtins (JSON, Buffer, RegExp) are charged to the module that called them.',
    );
    lines.push('', '### By module', '');
    lines.push(
      markdownTable(
        [
          ['module', 'self ms', '% of busy'],
          ...summary.modules.slice(0, 20).map((r) => [r.name, num(r.selfMs), `${r.percent} %`]),
        ],
        { align: ['l', 'r', 'r'] },
      ),
    );
    lines.push('', '### Top functions', '');
    lines.push(
      markdownTable(
        [
          ['function', 'self ms', '% of busy'],
          ...summary.functions.map((r) => [r.name, num(r.selfMs), `${r.percent} %`]),
        ],
        { align: ['l', 'r', 'r'] },
      ),
    );
  }
  if (results.notes.length > 0) {
    lines.push('', '## Notes', '', ...results.notes.map((note) => `- ${note}`));
  }
  return `${lines.join('\n')}\n`;
}
