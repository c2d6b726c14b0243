/**
 * A picture of a committed dashboard drawn from real Prometheus data, since Grafana cannot run
 * here: every panel's queries go through `query_range`, and an HTML page lays the panels out on
 * Grafana's 24-column grid (30 px per row unit) with plain SVG lines and stat numbers. Headless
 * Chromium turns the page into a PNG. Used by the acceptance test when DASHBOARD_PREVIEW_DIR is set.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DashboardJson } from '../../../tooling/dashboards/dashboard-queries.js';

const run = promisify(execFile);
const COLORS = [
  '#73bf69',
  '#f2cc0c',
  '#5794f2',
  '#ff780a',
  '#b877d9',
  '#f2495c',
  '#37872d',
  '#8ab8ff',
];
const UNIT_PX = 30;
const WIDTH_PX = 1400;

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

type RangeQuery = (expr: string, start: number, end: number) => Promise<Series[]>;

export function rangeQuery(prometheusUrl: string): RangeQuery {
  return async (expr, start, end) => {
    const params = new URLSearchParams({
      query: expr,
      start: String(start),
      end: String(end),
      step: '1',
    }).toString();
    const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`);
    const body = (await response.json()) as { data?: { result: Series[] } };
    return body.data?.result ?? [];
  };
}

const escape = (text: string) =>
  text.replace(
    /[&<>"]/gu,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

function legend(format: string, metric: Record<string, string>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/gu, (_m, label: string) => metric[label] ?? '');
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function chart(series: { name: string; points: [number, number][] }[], w: number, h: number) {
  const all = series.flatMap((s) => s.points).filter(([, v]) => Number.isFinite(v));
  if (all.length === 0) return `<div class="empty">No data</div>`;
  const [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const max = Math.max(...all.map((p) => p[1]), 0) || 1;
  const x = (t: number) => (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * (w - 40)) + 36;
  const y = (v: number) => h - 4 - (v / max) * (h - 12);
  const lines = series
    .map((s, i) => {
      const points = s.points
        .filter(([, v]) => Number.isFinite(v))
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${points}"/>`;
    })
    .join('');
  const axis = `<text x="2" y="12" class="axis">${formatValue(max)}</text><text x="2" y="${h - 4}" class="axis">0</text>`;
  return `<svg width="${w}" height="${h}">${axis}<line x1="36" x2="${w}" y1="${h - 4}" y2="${h - 4}" class="grid"/>${lines}</svg>`;
}

async function panelHtml(
  panel: DashboardJson['panels'][number],
  query: RangeQuery,
  window: { start: number; end: number; seconds: number },
): Promise<string> {
  const { x, y, w, h } = panel.gridPos;
  const left = (x / 24) * WIDTH_PX;
  const width = (w / 24) * WIDTH_PX - 6;
  const style = `left:${left}px;top:${y * UNIT_PX}px;width:${width}px;height:${h * UNIT_PX - 6}px`;
  if (panel.type === 'row') {
    return `<div class="row" style="${style}">${escape(panel.title)}</div>`;
  }
  const series: { name: string; points: [number, number][] }[] = [];
  for (const target of panel.targets ?? []) {
    const expr = target.expr
      .replaceAll('$__rate_interval', '15s')
      .replaceAll('$__range', `${window.seconds}s`);
    for (const s of await query(expr, window.start, window.end)) {
      series.push({
        name: legend(target.legendFormat ?? '', s.metric),
        points: s.values.map(([t, v]) => [t, Number(v)]),
      });
    }
  }
  const bodyHeight = h * UNIT_PX - 36;
  let body: string;
  if (panel.type === 'stat') {
    const last = series[0]?.points.at(-1)?.[1] ?? 0;
    body = `<div class="stat">${formatValue(last)}</div>`;
  } else {
    const legendHtml = series
      .slice(0, 6)
      .map(
        (s, i) =>
          `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escape(s.name)}</span>`,
      )
      .join('');
    body = chart(series, width - 12, bodyHeight - 22) + `<div class="legend">${legendHtml}</div>`;
  }
  return `<div class="panel" style="${style}"><div class="title">${escape(panel.title)}</div>${body}</div>`;
}

/** Writes `<dir>/<uid>.html` and, with Chromium, `<dir>/<uid>.png`; returns the PNG path. */
export async function renderPreview(
  dashboard: DashboardJson,
  query: RangeQuery,
  window: { start: number; end: number },
  dir: string,
  chromium = process.env.CHROMIUM ?? 'chromium',
): Promise<string> {
  const seconds = Math.max(1, Math.round(window.end - window.start));
  const panels = dashboard.panels;
  const html = await Promise.all(panels.map((p) => panelHtml(p, query, { ...window, seconds })));
  const height = Math.max(...panels.map((p) => (p.gridPos.y + p.gridPos.h) * UNIT_PX)) + 60;
  const page = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px sans-serif}
h1{font-size:16px;margin:10px 12px;color:#fff} .board{position:relative;margin:0 6px}
.panel,.row{position:absolute;box-sizing:border-box}
.panel{background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:4px 6px;overflow:hidden}
.row{color:#fff;font-size:14px;font-weight:600;padding-top:6px}
.title{font-weight:600;color:#fff;margin-bottom:4px;white-space:nowrap;overflow:hidden}
.stat{font-size:40px;color:#73bf69;text-align:center;margin-top:12px}
.legend span{margin-right:10px;white-space:nowrap} .legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.axis{fill:#8e8e8e;font-size:10px} .grid{stroke:#2c3235} .empty{color:#8e8e8e;text-align:center;margin-top:30px}
</style></head><body><h1>${escape(dashboard.title)} — real data from the acceptance run (${seconds} s)</h1>
<div class="board" style="height:${height}px">${html.join('')}</div></body></html>`;
  const htmlPath = path.join(dir, `${dashboard.uid}.html`);
  const pngPath = path.join(dir, `${dashboard.uid}.png`);
  await writeFile(htmlPath, page);
  await run(chromium, [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--window-size=${WIDTH_PX + 12},${height + 50}`,
    `--screenshot=${pngPath}`,
    `file://${htmlPath}`,
  ]);
  return pngPath;
}
