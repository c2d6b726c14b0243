/** Reads the committed dashboards and lists every panel query in them. */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

const generatedDir = path.resolve(import.meta.dirname, '..', '..', '..', 'dashboards', 'generated');

export interface LinkJson {
  title: string;
  type: string;
  url?: string;
  targetBlank?: boolean;
}

export interface DashboardJson {
  uid: string;
  title: string;
  links?: LinkJson[];
  templating?: { list: { type: string; name: string; query?: string }[] };
  panels: {
    title: string;
    type: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { uid?: string };
    targets?: { expr: string; refId: string; legendFormat?: string }[];
    fieldConfig?: {
      defaults?: {
        links?: LinkJson[];
        mappings?: { type: string; options: { match?: string; result?: { text?: string } } }[];
      };
    };
  }[];
}

export interface PanelQuery {
  /** `<dashboard uid> / <panel title> / <refId>` */
  where: string;
  expr: string;
  datasource: string | undefined;
}

export async function readDashboards(): Promise<DashboardJson[]> {
  const files = (await readdir(generatedDir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(
      async (file) =>
        JSON.parse(await readFile(path.join(generatedDir, file), 'utf8')) as DashboardJson,
    ),
  );
}

export function dashboardQueries(dashboards: readonly DashboardJson[]): PanelQuery[] {
  return dashboards.flatMap((dashboard) =>
    dashboard.panels
      .filter((panel) => panel.type !== 'row')
      .flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          where: `${dashboard.uid} / ${panel.title} / ${target.refId}`,
          expr: target.expr,
          datasource: panel.datasource?.uid,
        })),
      ),
  );
}

/**
 * The series names a query reads (`saga_timer_lag_bucket`, `saga_dlq_messages_total`, …), label
 * names in `by (…)` and matchers `{…}` left out.
 */
export function metricNamesOf(expr: string): string[] {
  const withoutLabels = expr.replace(/\bby \([^)]*\)|\{[^}]*\}/gu, '');
  return withoutLabels.match(/\bsaga_[a-z_]+\b/gu) ?? [];
}

/** Every series name any panel of the committed dashboards reads, sorted. */
export function dashboardMetricNames(dashboards: readonly DashboardJson[]): string[] {
  const names = dashboardQueries(dashboards).flatMap((query) => metricNamesOf(query.expr));
  return [...new Set(names)].sort();
}
