/**
 * A real Prometheus (Debian's `prometheus` binary) for tests: scrapes the given targets every
 * second into a temporary TSDB, answers PromQL over its HTTP API, and is stopped and deleted after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { eventually, type WaitOptions } from '../../../support/eventually.js';
import { freePort } from '../../../support/free-port.js';

export interface ScrapeTarget {
  job: string;
  /** `127.0.0.1:<port>` */
  address: string;
}

export interface QueryResult {
  status: 'success' | 'error';
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
}

export interface RunningPrometheus {
  readonly url: string;
  query(expr: string): Promise<QueryResult>;
  /** Health of every target as Prometheus sees it (`up`, `down`, `unknown`). */
  targetHealth(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * How tests wait on Prometheus: it scrapes and evaluates once a second, and its HTTP API may refuse
 * or fail a query while it starts, so a failing probe means "not yet".
 */
export const PROMETHEUS_WAIT: WaitOptions = {
  timeoutMs: 60_000,
  intervalMs: 250,
  retryOn: () => true,
};

export interface PrometheusOptions {
  /** Alert/recording rule files to evaluate (every second). */
  ruleFiles?: readonly string[];
  /** @default $PROMETHEUS or `prometheus` on the PATH */
  binary?: string;
}

export async function startPrometheus(
  targets: readonly ScrapeTarget[],
  options: PrometheusOptions = {},
): Promise<RunningPrometheus> {
  const binary = options.binary ?? process.env.PROMETHEUS ?? 'prometheus';
  const dir = await mkdtemp(path.join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    rule_files: [...(options.ruleFiles ?? [])],
    scrape_configs: targets.map(({ job, address }) => ({
      job_name: job,
      static_configs: [{ targets: [address] }],
    })),
  };
  await writeFile(path.join(dir, 'prometheus.yml'), stringify(config));
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await eventually(
      'prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
        const response = await fetch(`${url}/-/ready`);
        return response.ok ? true : undefined;
      },
      { ...PROMETHEUS_WAIT, retryOn: () => child.exitCode === null },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    async query(expr) {
      const params = new URLSearchParams({ query: expr }).toString();
      const response = await fetch(`${url}/api/v1/query?${params}`);
      return (await response.json()) as QueryResult;
    },
    async targetHealth() {
      const response = await fetch(`${url}/api/v1/targets`);
      const body = (await response.json()) as {
        data: { activeTargets: { labels: { job: string }; health: string }[] };
      };
      return Object.fromEntries(body.data.activeTargets.map((t) => [t.labels.job, t.health]));
    },
    stop,
  };
}
