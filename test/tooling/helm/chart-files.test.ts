/**
 * The Grafana dashboards (dashboards/**\/*.json) and alert rules (dashboards/alerts.yaml) reach the
 * cluster through the chart: its committed copies match the originals, each dashboard becomes a
 * ConfigMap labelled for Grafana's sidecar, the rules become a PrometheusRule, and "none yet"
 * renders neither.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { stringify } from 'yaml';
import {
  chartFilesDrift,
  ChartFilesError,
  planChartFiles,
  syncChartFiles,
} from '../../../scripts/sync-chart-files.js';
import {
  CHART_DIR,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  MONITORING_API,
  objectsOfKind,
  renderChart,
  REPO_ROOT,
  validateObjects,
  type K8sObject,
} from './chart.js';

const overview = {
  title: 'Saga overview',
  uid: 'saga-overview',
  schemaVersion: 39,
  panels: [
    {
      id: 1,
      type: 'timeseries',
      title: 'Sagas started',
      // Grafana's and Prometheus's own {{…}} must reach them untouched by Helm.
      targets: [{ expr: 'sum by (saga_type) (rate(x[5m]))', legendFormat: '{{saga_type}}' }],
    },
  ],
};
const participantsBoard = { title: 'Participants', uid: 'saga-participants', panels: [] };
const alerts = {
  groups: [
    {
      name: 'saga-orchestrator',
      rules: [
        {
          alert: 'SagaParked',
          expr: 'increase(saga_parked_total[10m]) > 0',
          for: '1m',
          labels: { severity: 'warning' },
          annotations: { summary: 'A {{ $labels.saga_type }} saga was parked' },
        },
      ],
    },
  ],
};

function dashboardConfigMaps(objects: readonly K8sObject[]): K8sObject[] {
  return objectsOfKind(objects, 'ConfigMap').filter(
    (o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'dashboards',
  );
}

describe('Helm chart: Grafana dashboards and Prometheus alert rules', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);

  it("keeps the chart's committed copies in sync with dashboards/ (else run scripts/helm.sh sync)", () => {
    expect(chartFilesDrift(REPO_ROOT)).to.deep.equal([]);
  });

  describe('in a scratch copy of the repository', () => {
    let root: string;
    let chart: string;

    before(function () {
      helmBinary();
    });

    beforeEach(() => {
      root = mkdtempSync(path.join(tmpdir(), 'saga-chart-files-'));
      chart = path.join(root, 'helm', 'saga-orchestrator');
      cpSync(CHART_DIR, chart, {
        recursive: true,
        // The chart's own copies are left behind: each test makes its own.
        filter: (source) => {
          const top = path.relative(CHART_DIR, source).split(path.sep)[0];
          return top !== 'dashboards' && top !== 'alerts';
        },
      });
      mkdirSync(path.join(root, 'dashboards', 'generated'), { recursive: true });
    });

    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const writeSamples = () => {
      writeFileSync(
        path.join(root, 'dashboards', 'saga-overview.json'),
        JSON.stringify(overview, null, 2),
      );
      writeFileSync(
        path.join(root, 'dashboards', 'generated', 'participants.json'),
        JSON.stringify(participantsBoard),
      );
      // Not a dashboard (no panels): left out, and said so.
      writeFileSync(path.join(root, 'dashboards', 'tsconfig.json'), '{"compilerOptions":{}}');
      writeFileSync(path.join(root, 'dashboards', 'alerts.yaml'), stringify(alerts));
    };

    it('renders nothing for dashboards or alerts when there are none yet', () => {
      expect(syncChartFiles(root, chart)).to.deep.equal([]);
      const objects = renderChart({
        chartDir: chart,
        set: ['metrics.prometheusRule.enabled=true'],
        apiVersions: [MONITORING_API],
      });
      expect(dashboardConfigMaps(objects)).to.be.empty;
      expect(objectsOfKind(objects, 'PrometheusRule')).to.be.empty;
    });

    it('packages each dashboard as a ConfigMap for the Grafana sidecar', async () => {
      writeSamples();
      const plan = planChartFiles(root);
      expect(plan.skipped).to.deep.equal([path.join('dashboards', 'tsconfig.json')]);
      expect(syncChartFiles(root, chart)).to.have.length(3);
      expect(chartFilesDrift(root, chart)).to.deep.equal([]);

      const objects = renderChart({ chartDir: chart, set: ['dashboards.folder=Sagas'] });
      const configMaps = dashboardConfigMaps(objects);
      expect(configMaps.map((c) => c.metadata.name)).to.have.members([
        'saga-saga-orchestrator-dashboard-participants',
        'saga-saga-orchestrator-dashboard-saga-overview',
      ]);
      for (const configMap of configMaps) {
        expect(configMap.metadata.labels).to.include({ grafana_dashboard: '1' });
        expect(configMap.metadata.annotations).to.deep.equal({ grafana_folder: 'Sagas' });
      }
      const data = configMaps.find((c) => c.metadata.name.endsWith('saga-overview'))
        ?.data as Record<string, string>;
      expect(Object.keys(data)).to.deep.equal(['saga-overview.json']);
      expect(JSON.parse(data['saga-overview.json']!)).to.deep.equal(overview);
      expect(await validateObjects(configMaps)).to.deep.equal([]);
    });

    it('follows the sidecar label and namespace settings, and can be switched off', () => {
      writeSamples();
      syncChartFiles(root, chart);
      const custom = dashboardConfigMaps(
        renderChart({
          chartDir: chart,
          set: [
            'dashboards.label=grafana_dashboards',
            'dashboards.labelValue=sagas',
            'dashboards.namespace=monitoring',
          ],
        }),
      );
      expect(custom).to.have.length(2);
      for (const configMap of custom) {
        expect(configMap.metadata.labels).to.include({ grafana_dashboards: 'sagas' });
        expect(configMap.metadata.namespace).to.equal('monitoring');
      }
      const off = renderChart({ chartDir: chart, set: ['dashboards.enabled=false'] });
      expect(dashboardConfigMaps(off)).to.be.empty;
    });

    it('turns dashboards/alerts.yaml (plus any additional groups) into a valid PrometheusRule', async () => {
      writeSamples();
      syncChartFiles(root, chart);
      const extra = { name: 'extra', rules: [{ alert: 'Extra', expr: 'vector(1)' }] };
      const objects = renderChart({
        chartDir: chart,
        set: [
          'metrics.prometheusRule.enabled=true',
          `metrics.prometheusRule.additionalGroups[0].name=${extra.name}`,
          `metrics.prometheusRule.additionalGroups[0].rules[0].alert=${extra.rules[0]!.alert}`,
          `metrics.prometheusRule.additionalGroups[0].rules[0].expr=${extra.rules[0]!.expr}`,
        ],
      });
      const [rule] = objectsOfKind<IPrometheusRule & K8sObject>(objects, 'PrometheusRule');
      expect(rule?.spec.groups).to.deep.equal([...alerts.groups, extra]);
      expect(await validateObjects([rule!])).to.deep.equal([]);
      const auto = renderChart({ chartDir: chart, apiVersions: [MONITORING_API] });
      expect(objectsOfKind(auto, 'PrometheusRule')).to.have.length(1);
      expect(objectsOfKind(renderChart({ chartDir: chart }), 'PrometheusRule')).to.be.empty;
    });

    it('reports drift and removes copies whose original is gone', () => {
      writeSamples();
      syncChartFiles(root, chart);
      rmSync(path.join(root, 'dashboards', 'generated', 'participants.json'));
      writeFileSync(
        path.join(root, 'dashboards', 'saga-overview.json'),
        JSON.stringify({ ...overview, title: 'New' }),
      );
      expect(chartFilesDrift(root, chart)).to.have.members([
        path.join('dashboards', 'saga-overview.json') +
          ' differs from ' +
          path.join('dashboards', 'saga-overview.json'),
        path.join('dashboards', 'participants.json') + ' has no original any more',
      ]);
      syncChartFiles(root, chart);
      expect(chartFilesDrift(root, chart)).to.deep.equal([]);
      expect(dashboardConfigMaps(renderChart({ chartDir: chart }))).to.have.length(1);
    });

    it('refuses two dashboards that would share a name, and a rule file without groups', () => {
      writeSamples();
      writeFileSync(
        path.join(root, 'dashboards', 'generated', 'saga-overview.json'),
        JSON.stringify(overview),
      );
      expect(() => planChartFiles(root)).to.throw(ChartFilesError, /would both become/);
      rmSync(path.join(root, 'dashboards', 'generated', 'saga-overview.json'));
      writeFileSync(path.join(root, 'dashboards', 'alerts.yaml'), 'rules: []\n');
      expect(() => planChartFiles(root)).to.throw(ChartFilesError, /groups/);
    });
  });
});
