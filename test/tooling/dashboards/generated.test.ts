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
