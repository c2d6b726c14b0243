/**
 * The bench's settings from the command line and the environment (the only place it reads
 * either). `npm run bench -- --help` lists the options.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ms from 'ms';
import type { BenchSettings } from './harness/run-benchmark.js';

export const USAGE = `npm run bench [-- options]

  (no option)            the default run (about 12 minutes on 2 cores): transport limit (raw
                         loops, also at the fixed rates), orchestrator idle, at saturation and at
                         the fixed rates, CPU profile, scale curve, one vs two orchestrator
                         processes, reply partitions, memory; issue 13's targets checked
  --scale                the scale curve alone (sagas in flight 50 … 3,200: sagas/s, CPU per
                         saga, p99)
  --soak <duration>      the memory-flatness run instead: saturation, then half of it for
                         <duration> (e.g. 10m), sampling the orchestrator's memory
  --smoke                a few seconds at a low rate (what the test suite runs)
  --in-flight <n>        sagas kept in flight at saturation (default: searched per system,
                         doubling from 50 while throughput grows, see docs/benchmarks.md)
  --max-in-flight <n>    where that search stops (default 3200)
  --rates <a,b>          offered rates for latency, orchestrator and raw loop side by side,
                         sagas/s (default 50,200; the low-load targets read 50/s)
  --reply-partitions <a,b,c>  reply-topic partition counts to compare (default 1,2,4)
  --results-dir <dir>    where <date>.md and <date>.json go (default bench/results)
  --no-progress          no progress bar (e.g. in CI logs)
  --render <file.json>   write the Markdown of an earlier run's results again (no run)

Kafka and Redis come from KAFKA_BROKERS and REDIS_URL (npm run bench starts local ones if unset).`;

export interface CliSettings extends BenchSettings {
  resultsDir: string;
  showProgress: boolean;
}

const ROOT = path.resolve(import.meta.dirname, '..');

function numberList(value: string | undefined, fallback: number[], name: string): number[] {
  if (value === undefined) return fallback;
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--${name} takes positive whole numbers separated by commas, got "${value}"`);
  }
  return list;
}

/** Parses argv and the environment; throws with a message naming the bad option. */
export function loadSettings(
  argv: string[],
  env: NodeJS.ProcessEnv,
): CliSettings | 'help' | { render: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      soak: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      'in-flight': { type: 'string' },
      'max-in-flight': { type: 'string' },
      rates: { type: 'string' },
      'reply-partitions': { type: 'string' },
      'results-dir': { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.render !== undefined) return { render: path.resolve(values.render) };
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const redisUrl = env.REDIS_URL ?? '';
  if (brokers.length === 0 || !redisUrl) {
    throw new Error('KAFKA_BROKERS and REDIS_URL must be set (npm run bench sets them).');
  }
  let soakSeconds = 600;
  if (values.soak !== undefined) {
    const parsed = ms(values.soak as ms.StringValue);
    if (typeof parsed !== 'number' || !(parsed >= 1000)) {
      throw new Error(`--soak takes a duration such as 10m or 90s, got "${values.soak}"`);
    }
    soakSeconds = Math.round(parsed / 1000);
  }
  const modes = [values.smoke, values.soak !== undefined, values.scale].filter(Boolean).length;
  if (modes > 1) throw new Error('--smoke, --soak and --scale exclude each other');
  const [maxInFlight = 3200] = numberList(values['max-in-flight'], [3200], 'max-in-flight');
  const inFlight =
    values['in-flight'] === undefined
      ? ('auto' as const)
      : (numberList(values['in-flight'], [], 'in-flight')[0] ?? ('auto' as const));
  return {
    brokers,
    redisUrl,
    mode:
      values.soak !== undefined
        ? 'soak'
        : values.smoke
          ? 'smoke'
          : values.scale
            ? 'scale'
            : 'default',
    inFlight,
    maxInFlight,
    rates: numberList(values.rates, values.smoke ? [20] : [50, 200], 'rates'),
    replyPartitions: numberList(values['reply-partitions'], [1, 2, 4], 'reply-partitions'),
    soakSeconds,
    inFlightMemorySagas: 5000,
    workDir: path.join(os.tmpdir(), 'saga-bench'),
    root: ROOT,
    resultsDir: path.resolve(values['results-dir'] ?? path.join(ROOT, 'bench', 'results')),
    showProgress: !values['no-progress'] && process.stderr.isTTY === true,
  };
}
