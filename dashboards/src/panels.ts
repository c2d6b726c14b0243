/**
 * The few panel shapes the dashboards use, on the Grafana Foundation SDK builders, all reading
 * from the `${datasource}` variable so a dashboard imports into any Grafana with a Prometheus.
 */
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  RowBuilder,
  SpecialValueMatch,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { BigValueGraphMode } from '@grafana/grafana-foundation-sdk/common';

export const DASHBOARD_TAG = 'saga-orchestrator';
const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

/** The dashboard variable holding the saga console's base URL (the orchestrator's HTTP address). */
export const CONSOLE_URL_VARIABLE = 'console_url';
/** Its default: the orchestrator's default HTTP port on this machine. */
export const DEFAULT_CONSOLE_URL = 'http://localhost:8080';

/** A filter value of a console link: fixed text, or the clicked series' label. */
export type ConsoleFilter = string | { label: string };

/** A link to the saga console's list (`/ui/?type=…&status=…&state=…`), filtered so. */
export interface ConsoleLink {
  title: string;
  filters: Readonly<Record<string, ConsoleFilter>>;
}

/**
 * The console's list URL through the `console_url` variable. A label value is left for Grafana
 * to fill in (`${__field.labels.saga_type:percentencode}`); fixed text is encoded here.
 */
export function consoleListUrl(filters: Readonly<Record<string, ConsoleFilter>> = {}): string {
  const query = Object.entries(filters)
    .map(([name, value]) =>
      typeof value === 'string'
        ? `${name}=${encodeURIComponent(value)}`
        : `${name}=\${__field.labels.${value.label}:percentencode}`,
    )
    .join('&');
  return `\${${CONSOLE_URL_VARIABLE}}/ui/${query ? `?${query}` : ''}`;
}

function consoleDataLink(link: ConsoleLink) {
  return new DashboardLinkBuilder(link.title)
    .type(DashboardLinkType.Link)
    .url(consoleListUrl(link.filters))
    .targetBlank(true);
}

export interface Query {
  expr: string;
  /** Grafana legend, e.g. `{{saga_type}}`. */
  legend: string;
  /** Ask Prometheus for exemplars too (latency panels). */
  exemplar?: boolean;
}

export interface PanelOptions {
  description: string;
  unit: string;
  /** Grid width, out of 24. @default 8 */
  width?: number;
  /** @default 8 */
  height?: number;
  /** Links to traces (Tempo) from this panel's series. */
  traceLink?: { title: string; traceql: string };
  /** Links to the sagas behind this panel in the saga console. */
  consoleLink?: ConsoleLink;
  /** What a ratio shows when its denominator is 0 (PromQL gives NaN), instead of "NaN". */
  whenNaN?: string;
  stacked?: boolean;
}

function target(query: Query, index: number): DataqueryBuilder {
  return new DataqueryBuilder()
    .refId(String.fromCharCode(65 + index))
    .expr(query.expr)
    .legendFormat(query.legend)
    .exemplar(query.exemplar ?? false)
    .range();
}

/** A time series panel with one or more queries. */
export function timeseries(title: string, queries: Query[], options: PanelOptions) {
  let panel = new TimeseriesPanel()
    .title(title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .span(options.width ?? 8)
    .height(options.height ?? 8)
    .fillOpacity(options.stacked ? 40 : 10)
    .lineWidth(1)
    .noValue('0');
  queries.forEach((query, index) => {
    panel = panel.withTarget(target(query, index));
  });
  const links = [
    ...(options.traceLink ? [traceDataLink(options.traceLink)] : []),
    ...(options.consoleLink ? [consoleDataLink(options.consoleLink)] : []),
  ];
  if (links.length > 0) panel = panel.dataLinks(links);
  return panel;
}

/** A single number (the last value), e.g. parked sagas now. */
export function stat(title: string, query: Query, options: PanelOptions) {
  const panel = new StatPanel()
    .title(title)
    .description(options.description)
    .datasource(PROMETHEUS)
    .unit(options.unit)
    .span(options.width ?? 4)
    .height(options.height ?? 5)
    .graphMode(BigValueGraphMode.Area)
    .noValue('0')
    .withTarget(target(query, 0));
  if (options.whenNaN !== undefined) {
    panel.mappings([
      {
        type: MappingType.SpecialValue,
        options: { match: SpecialValueMatch.NotANumber, result: { text: options.whenNaN } },
      },
    ]);
  }
  return options.consoleLink ? panel.dataLinks([consoleDataLink(options.consoleLink)]) : panel;
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}

/**
 * A dashboard with the datasource variables, the console's URL, and links to its siblings and
 * to the saga console.
 */
export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([DASHBOARD_TAG])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'),
    )
    .withVariable(
      new DatasourceVariableBuilder('tempo')
        .label('Traces (Tempo)')
        .type('tempo')
        .description('Where the latency panels link to traces; leave empty without Tempo'),
    )
    .withVariable(
      new TextBoxVariableBuilder(CONSOLE_URL_VARIABLE)
        .label('Saga console URL')
        .description(
          'Base URL of the orchestrator serving the saga console (/ui); the panels of sagas link there',
        )
        .defaultValue(DEFAULT_CONSOLE_URL)
        .current({ text: DEFAULT_CONSOLE_URL, value: DEFAULT_CONSOLE_URL }),
    )
    .link(
      new DashboardLinkBuilder('Saga console')
        .type(DashboardLinkType.Link)
        .url(consoleListUrl())
        .tooltip('The sagas themselves: list, statechart, timeline, operator actions')
        .targetBlank(true),
    )
    .link(
      new DashboardLinkBuilder('Saga dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

/**
 * A data link to Grafana Explore with a TraceQL search over the clicked series' time range.
 * `${…}` stays unencoded so Grafana fills it in (labels with `:percentencode`).
 */
function traceDataLink(link: { title: string; traceql: string }) {
  const panes = {
    traces: {
      datasource: '${tempo}',
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: '${tempo}' },
          queryType: 'traceql',
          query: link.traceql,
        },
      ],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  const encoded = encodeURIComponent(JSON.stringify(panes)).replace(
    /%24%7B([^%]+(?:%3A[a-z]+)?)%7D/gu,
    (_match, name: string) => `\${${decodeURIComponent(name)}}`,
  );
  return new DashboardLinkBuilder(link.title)
    .type(DashboardLinkType.Link)
    .url(`/explore?schemaVersion=1&panes=${encoded}`)
    .targetBlank(true);
}
