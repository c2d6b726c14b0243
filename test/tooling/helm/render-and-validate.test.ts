/**
 * The chart passes `helm lint --strict` and renders, with the default values and the CI values
 * files, into objects that are valid against the Kubernetes (and Prometheus Operator) schemas.
 */
import { expect } from 'chai';
import {
  CHART_DIR,
  findObject,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  MINIMAL_VALUES,
  MONITORING_API,
  objectsOfKind,
  parseManifests,
  PRODUCTION_VALUES,
  renderChart,
  runHelm,
  validateObjects,
  type K8sObject,
  type RenderOptions,
} from './chart.js';

interface ValuesCase {
  name: string;
  options: RenderOptions;
  /** Kinds the case must render, with their counts. */
  kinds: Record<string, number>;
}

const CASES: ValuesCase[] = [
  {
    name: 'default values',
    options: {},
    kinds: {
      ConfigMap: 2,
      Deployment: 1,
      Service: 1,
      ServiceAccount: 1,
      PodDisruptionBudget: 1,
    },
  },
  {
    name: 'ci/production-values.yaml',
    options: { valuesFiles: [PRODUCTION_VALUES] },
    kinds: {
      ConfigMap: 2,
      // the orchestrator and the three example participants
      Deployment: 4,
      Service: 1,
      ServiceAccount: 1,
      PodDisruptionBudget: 1,
      HorizontalPodAutoscaler: 1,
      NetworkPolicy: 1,
      ServiceMonitor: 1,
      // the participants' /metrics, scraped beside the orchestrator's
      PodMonitor: 1,
      PrometheusRule: 1,
    },
  },
  {
    name: 'ci/minimal-values.yaml',
    options: { valuesFiles: [MINIMAL_VALUES] },
    kinds: { ConfigMap: 2, Deployment: 1, Service: 1 },
  },
  {
    name: 'default values on a cluster with the Prometheus Operator',
    options: { apiVersions: [MONITORING_API] },
    kinds: {
      ConfigMap: 2,
      Deployment: 1,
      Service: 1,
      ServiceAccount: 1,
      PodDisruptionBudget: 1,
      ServiceMonitor: 1,
    },
  },
];

function kindCounts(objects: readonly K8sObject[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const object of objects) counts[object.kind] = (counts[object.kind] ?? 0) + 1;
  return counts;
}

describe('Helm chart: lint, render and validate against the Kubernetes schemas', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);

  before(function () {
    // Builds helm on a cold machine; fails (not skips) when it cannot.
    helmBinary();
  });

  for (const valuesCase of CASES) {
    describe(valuesCase.name, () => {
      const valuesArgs = (valuesCase.options.valuesFiles ?? []).flatMap((f) => ['--values', f]);

      it('passes helm lint --strict', () => {
        const result = runHelm(['lint', '--strict', CHART_DIR, ...valuesArgs]);
        expect(result.status, result.stdout + result.stderr).to.equal(0);
        expect(result.stdout).to.contain('0 chart(s) failed');
      });

      it('renders exactly the expected kinds', () => {
        const objects = renderChart(valuesCase.options);
        const counts = kindCounts(objects);
        // Dashboards ConfigMaps come and go with dashboards/; they are tested on their own.
        const dashboards = objects.filter(
          (o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'dashboards',
        ).length;
        if (dashboards > 0) counts.ConfigMap = (counts.ConfigMap ?? 0) - dashboards;
        if (counts.PrometheusRule && !valuesCase.kinds.PrometheusRule) {
          // Rendered only once dashboards/alerts.yaml exists (copied into the chart).
          delete counts.PrometheusRule;
        }
        expect(counts).to.deep.equal(valuesCase.kinds);
      });

      it('renders only objects valid against their schemas', async () => {
        const objects = renderChart(valuesCase.options);
        expect(objects).to.not.be.empty;
        expect(await validateObjects(objects)).to.deep.equal([]);
      });

      it('gives every object the chart labels and a unique kind/name', () => {
        const objects = renderChart(valuesCase.options);
        const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
        expect(new Set(ids).size, ids.join(', ')).to.equal(ids.length);
        for (const object of objects) {
          expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).to.include({
            'app.kubernetes.io/name': 'saga-orchestrator',
            'app.kubernetes.io/instance': 'saga',
            'app.kubernetes.io/managed-by': 'Helm',
          });
          expect(object.metadata.name.length).to.be.at.most(63);
        }
      });
    });
  }

  it('renders with every optional object switched on at once, all valid', async () => {
    const objects = renderChart({
      valuesFiles: [PRODUCTION_VALUES],
      set: ['metrics.serviceMonitor.enabled=auto', 'metrics.prometheusRule.enabled=auto'],
      apiVersions: [MONITORING_API],
    });
    expect(objectsOfKind(objects, 'ServiceMonitor')).to.have.length(1);
    expect(objectsOfKind(objects, 'PodMonitor')).to.have.length(1);
    expect(objectsOfKind(objects, 'PrometheusRule')).to.have.length(1);
    expect(await validateObjects(objects)).to.deep.equal([]);
  });

  it('leaves the Prometheus Operator objects out on "auto" when the cluster lacks the API', () => {
    const objects = renderChart({
      valuesFiles: [PRODUCTION_VALUES],
      set: ['metrics.serviceMonitor.enabled=auto'],
    });
    expect(objectsOfKind(objects, 'ServiceMonitor')).to.be.empty;
    expect(objectsOfKind(objects, 'PodMonitor')).to.be.empty;
    const forced = renderChart({ set: ['metrics.serviceMonitor.enabled=true'] });
    expect(findObject(forced, 'ServiceMonitor').apiVersion).to.equal(MONITORING_API);
  });

  it('the validator catches an invalid object and a kind it has no schema for', async () => {
    const [deployment] = parseManifests(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two, selector: {}, template: {}}\n',
    );
    const [unknown] = parseManifests(
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n',
    );
    const problems = await validateObjects([deployment!, unknown!]);
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/Deployment x .*replicas must be integer/);
    expect(problems[1]).to.match(/Widget w .*no schema/);
  });

  it('the parser rejects duplicate keys', () => {
    expect(() =>
      parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n'),
    ).to.throw(/not clean/);
  });
});
