/**
 * Copies the observability files the Helm chart packages from where the project keeps them into
 * the chart folder, because Helm can only read files inside the chart:
 *
 *   dashboards/**\/*.json (Grafana dashboards)  →  helm/saga-orchestrator/dashboards/<name>.json
 *   dashboards/alerts.yaml (Prometheus rules)   →  helm/saga-orchestrator/alerts/alerts.yaml
 *
 * The copies are committed (so `helm install` from a checkout works); a test fails when they
 * drift from the originals.
 *
 *   npx tsx scripts/sync-chart-files.ts           # write the copies, remove stale ones
 *   npx tsx scripts/sync-chart-files.ts --check   # exit 1 and list the drift, change nothing
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

export const CHART_DIR = path.join('helm', 'saga-orchestrator');
const DASHBOARDS_DIR = 'dashboards';
const ALERTS_FILE = path.join(DASHBOARDS_DIR, 'alerts.yaml');
/** Folders of the chart that hold nothing but copies; the sync owns them. */
const OWNED_CHART_DIRS = ['dashboards', 'alerts'] as const;

export interface ChartFile {
  /** Relative to the repository root. */
  source: string;
  /** Relative to the chart folder. */
  target: string;
}

export interface ChartFilePlan {
  files: ChartFile[];
  /** JSON files under dashboards/ that are not Grafana dashboards (no `panels` list). */
  skipped: string[];
}

export class ChartFilesError extends Error {
  override readonly name = 'ChartFilesError';
}

function jsonFilesUnder(root: string, relative: string): string[] {
  const dir = path.join(root, relative);
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      found.push(...jsonFilesUnder(root, child));
    } else if (entry.isFile() && entry.name.endsWith('.json')) {
      found.push(child);
    }
  }
  return found;
}

function isGrafanaDashboard(text: string, file: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ChartFilesError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { panels?: unknown }).panels)
  );
}

/** What the chart folder should hold, worked out from the repository's files. */
export function planChartFiles(root: string): ChartFilePlan {
  const files: ChartFile[] = [];
  const skipped: string[] = [];
  const byTarget = new Map<string, string>();
  for (const source of jsonFilesUnder(root, DASHBOARDS_DIR).sort()) {
    if (!isGrafanaDashboard(readFileSync(path.join(root, source), 'utf8'), source)) {
      skipped.push(source);
      continue;
    }
    const target = path.join('dashboards', path.basename(source));
    const clash = byTarget.get(target);
    if (clash) {
      throw new ChartFilesError(
        `${clash} and ${source} would both become ${target} in the chart: rename one`,
      );
    }
    byTarget.set(target, source);
    files.push({ source, target });
  }
  if (existsSync(path.join(root, ALERTS_FILE))) {
    const rules: unknown = parseYaml(readFileSync(path.join(root, ALERTS_FILE), 'utf8'));
    if (!Array.isArray((rules as { groups?: unknown } | null)?.groups)) {
      throw new ChartFilesError(
        `${ALERTS_FILE} must be a Prometheus rule file (a top-level "groups:" list)`,
      );
    }
    files.push({ source: ALERTS_FILE, target: path.join('alerts', 'alerts.yaml') });
  }
  return { files, skipped };
}

function chartCopies(chartDir: string): string[] {
  return OWNED_CHART_DIRS.flatMap((dir) =>
    existsSync(path.join(chartDir, dir))
      ? readdirSync(path.join(chartDir, dir)).map((name) => path.join(dir, name))
      : [],
  );
}

/** Differences between the chart's copies and the originals; empty when in sync. */
export function chartFilesDrift(root: string, chartDir = path.join(root, CHART_DIR)): string[] {
  const { files } = planChartFiles(root);
  const drift: string[] = [];
  const wanted = new Set(files.map((file) => file.target));
  for (const { source, target } of files) {
    const copy = path.join(chartDir, target);
    if (!existsSync(copy)) drift.push(`${target} is missing (copy of ${source})`);
    else if (!readFileSync(copy).equals(readFileSync(path.join(root, source)))) {
      drift.push(`${target} differs from ${source}`);
    }
  }
  for (const copy of chartCopies(chartDir)) {
    if (!wanted.has(copy)) drift.push(`${copy} has no original any more`);
  }
  return drift;
}

/** Writes the copies and removes stale ones; returns what changed. */
export function syncChartFiles(root: string, chartDir = path.join(root, CHART_DIR)): string[] {
  const changes = chartFilesDrift(root, chartDir);
  const { files } = planChartFiles(root);
  const wanted = new Set(files.map((file) => file.target));
  for (const copy of chartCopies(chartDir)) {
    if (!wanted.has(copy)) rmSync(path.join(chartDir, copy), { recursive: true, force: true });
  }
  for (const { source, target } of files) {
    mkdirSync(path.dirname(path.join(chartDir, target)), { recursive: true });
    writeFileSync(path.join(chartDir, target), readFileSync(path.join(root, source)));
  }
  return changes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const root = path.resolve(import.meta.dirname, '..');
  try {
    const { skipped } = planChartFiles(root);
    for (const file of skipped)
      console.error(`skipped ${file}: not a Grafana dashboard (no panels)`);
    if (values.check) {
      const drift = chartFilesDrift(root);
      if (drift.length > 0) {
        console.error(
          `the chart's copies are out of date (run scripts/helm.sh sync):\n  ${drift.join('\n  ')}`,
        );
        process.exit(1);
      }
      console.log('chart files are in sync');
    } else {
      const changes = syncChartFiles(root);
      console.log(
        changes.length > 0 ? `synced:\n  ${changes.join('\n  ')}` : 'chart files already in sync',
      );
    }
  } catch (error) {
    console.error(error instanceof ChartFilesError ? error.message : String(error));
    process.exit(1);
  }
}
