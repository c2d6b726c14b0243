import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { buildAll } from '../../../dashboards/src/build-all.js';
import { ALL_METRICS, prometheusName } from '../../../wire/telemetry/metric-names.js';
import { sagaStatesOf } from '../../../orchestrator/telemetry/saga-states.js';
import orderSaga from '../../../sagas/order/index.js';
import { dashboardQueries, metricNamesOf, readDashboards } from './dashboard-queries.js';

const dashboardsDir = path.resolve(import.meta.dirname, '..', '..', '..', 'dashboards');

describe('dashboards: generated from code', () => {
  it('are committed exactly as the generator makes them (run `npm run dashboards` after a change)', async () => {
    const files = await buildAll();
    expect([...files.keys()].sort()).to.deep.equal([
      'alerts.yaml',
      'generated/overview.json',
      'generated/participants.json',
      'generated/saga-order.json',
    ]);
    for (const [file, content] of files) {
      const committed = await readFile(path.join(dashboardsDir, file), 'utf8');
      expect(committed, `dashboards/${file} is stale`).to.equal(content);
    }
  });

  it('query only metrics the names module defines, each panel through the datasource variable', async () => {
    const known = new Set(
      ALL_METRICS.flatMap((metric) => {
        const name = prometheusName(metric);
        return metric.kind === 'histogram'
          ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
          : [name];
      }),
    );
    const queries = dashboardQueries(await readDashboards());
    expect(queries.length).to.be.greaterThan(40);
    for (const query of queries) {
      expect(query.datasource, query.where).to.equal('${datasource}');
      const metrics = metricNamesOf(query.expr);
      expect(metrics.length, `${query.where}: ${query.expr}`).to.be.greaterThan(0);
      for (const metric of metrics) expect(known, `${query.where}: ${metric}`).to.include(metric);
    }
  });

  it('have a panel for every state of the order saga', async () => {
    const dashboards = await readDashboards();
    const order = dashboards.find((d) => d.uid === 'saga-type-order');
    const titles = (order?.panels ?? []).map((p) => p.title);
    for (const state of sagaStatesOf(orderSaga.machine)) expect(titles).to.include(state.path);
  });
});

describe('dashboards: a value on every panel of a quiet system', () => {
  it('the completed share says "none ended" rather than NaN when no saga ended (0 / 0)', async () => {
    const overview = (await readDashboards()).find((d) => d.uid === 'saga-overview');
    const share = overview?.panels.find((p) => p.title === 'Completed share');
    expect(share?.fieldConfig?.defaults?.mappings).to.deep.equal([
      { type: 'special', options: { match: 'nan', result: { text: 'none ended' } } },
    ]);
  });
});

describe('dashboards: links to the saga console', () => {
  const CONSOLE = '${console_url}/ui/';

  it('every dashboard has the console_url variable (default http://localhost:8080) and a "Saga console" link', async () => {
    for (const dashboard of await readDashboards()) {
      const variable = dashboard.templating?.list.find((v) => v.name === 'console_url');
      expect(variable, dashboard.uid).to.deep.include({
        type: 'textbox',
        query: 'http://localhost:8080',
      });
      const link = dashboard.links?.find((l) => l.title === 'Saga console');
      expect(link, dashboard.uid).to.deep.include({
        type: 'link',
        url: CONSOLE,
        targetBlank: true,
      });
    }
  });

  it('console data links open the list filtered by type, status or state, with labels the panel’s series carry', async () => {
    let links = 0;
    for (const dashboard of await readDashboards()) {
      for (const panel of dashboard.panels) {
        const grouped = new Set(
          (panel.targets ?? []).flatMap((t) =>
            [...t.expr.matchAll(/\bby \(([^)]*)\)/gu)].flatMap((m) =>
              (m[1] as string).split(',').map((l) => l.trim()),
            ),
          ),
        );
        for (const link of panel.fieldConfig?.defaults?.links ?? []) {
          if (!link.url?.startsWith('${console_url}')) continue;
          links += 1;
          const where = `${dashboard.uid} / ${panel.title}: ${link.url}`;
          expect(link.url.startsWith(`${CONSOLE}?`), where).to.equal(true);
          expect(link.targetBlank, where).to.equal(true);
          const query = link.url.slice(CONSOLE.length + 1);
          for (const pair of query.split('&')) {
            const [name, value = ''] = pair.split('=');
            expect(['type', 'status', 'state'], where).to.include(name);
            const label = /^\$\{__field\.labels\.([a-z_]+):percentencode\}$/u.exec(value)?.[1];
            // A label Grafana fills in must be one every series of the panel has.
            if (label) expect([...grouped], where).to.include(label);
            else expect(value, where).to.match(/^[A-Za-z0-9%._-]+$/u);
          }
        }
      }
    }
    expect(links).to.be.greaterThan(10);
  });

  it('link parked sagas, and every state of the order saga, to their list in the console', async () => {
    const dashboards = await readDashboards();
    const linksOf = (uid: string, title: string) =>
      (
        dashboards.find((d) => d.uid === uid)?.panels.find((p) => p.title === title)?.fieldConfig
          ?.defaults?.links ?? []
      ).map((l) => l.url);
    expect(linksOf('saga-overview', 'Parked sagas')).to.deep.equal([`${CONSOLE}?status=parked`]);
    for (const state of sagaStatesOf(orderSaga.machine)) {
      expect(linksOf('saga-type-order', state.path)).to.deep.equal([
        `${CONSOLE}?type=order&state=${encodeURIComponent(state.path)}`,
      ]);
    }
  });
});
