/** Reads a telemetry's `/metrics` over real HTTP and parses the Prometheus text format. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '../../../orchestrator/telemetry/setup-telemetry.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrapeText(telemetry: Pick<Telemetry, 'metricsHandler'>): Promise<string> {
  const server = createServer((request, response) => telemetry.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return await response.text();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function scrape(telemetry: Pick<Telemetry, 'metricsHandler'>): Promise<Sample[]> {
  return parseSamples(await scrapeText(telemetry));
}

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/u.exec(line);
    if (!match) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/gu,
    )) {
      labels[pair[1] as string] = (pair[2] as string).replace(/\\(.)/gu, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; throws otherwise. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = select(samples, name, labels);
  if (found.length !== 1) {
    throw new Error(
      `${found.length} samples of ${name} ${JSON.stringify(labels)}; have ${samples
        .filter((s) => s.name === name)
        .map((s) => JSON.stringify(s.labels))
        .join(' ')}`,
    );
  }
  return (found[0] as Sample).value;
}

export function select(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}
