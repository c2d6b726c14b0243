/**
 * The example participants' Deployments are operable like the orchestrator's: a named `metrics`
 * port that PARTICIPANT_METRICS_PORT points at, probes on /readyz and /healthz there, and a
 * PodMonitor that scrapes exactly those pods whenever the ServiceMonitor is rendered.
 */
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IContainer } from 'kubernetes-models/v1';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import {
  findObject,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  MONITORING_API,
  objectsOfKind,
  PRODUCTION_VALUES,
  renderChart,
  resolveEnv,
  runHelm,
  templateArgs,
  validateObjects,
  type K8sObject,
} from './chart.js';

const PARTICIPANTS = ['inventory', 'payment', 'shipping'];

function participantDeployments(objects: readonly K8sObject[]): IDeployment[] {
  return objectsOfKind<IDeployment>(objects, 'Deployment').filter((d) =>
    d.metadata?.labels?.['app.kubernetes.io/component']?.startsWith('participant-'),
  );
}

function containerOf(deployment: IDeployment): IContainer {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  expect(containers, deployment.metadata?.name).to.have.length(1);
  return containers[0]!;
}

/** True when the pod labels satisfy the selector's matchLabels and `In` expressions. */
function podMonitorSelects(monitor: IPodMonitor, deployment: IDeployment): boolean {
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  const { matchLabels = {}, matchExpressions = [] } = monitor.spec.selector;
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    matchExpressions.every((e) => {
      if (e.operator !== 'In') throw new Error(`selector operator ${e.operator} not understood`);
      const value = labels[e.key];
      return value !== undefined && (e.values ?? []).includes(value);
    })
  );
}

describe('Helm chart: the example participant workloads', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);

  before(function () {
    helmBinary();
  });

  it('serve on a named "metrics" port, which PARTICIPANT_METRICS_PORT names too', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const deployments = participantDeployments(objects);
    expect(deployments).to.have.length(PARTICIPANTS.length);
    for (const deployment of deployments) {
      const container = containerOf(deployment);
      expect(container.ports, deployment.metadata?.name).to.deep.equal([
        { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
      ]);
      expect(resolveEnv(container, objects).get('PARTICIPANT_METRICS_PORT')).to.deep.equal({
        from: 'value',
        value: '9464',
      });
    }
  });

  it('probe /readyz for readiness and /healthz for liveness and start-up, on that port', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    for (const deployment of participantDeployments(objects)) {
      const container = containerOf(deployment);
      const name = deployment.metadata?.name;
      expect(container.readinessProbe?.httpGet, name).to.deep.equal({
        path: '/readyz',
        port: 'metrics',
      });
      expect(container.livenessProbe?.httpGet, name).to.deep.equal({
        path: '/healthz',
        port: 'metrics',
      });
      expect(container.startupProbe?.httpGet, name).to.deep.equal({
        path: '/healthz',
        port: 'metrics',
      });
      // The orchestrator's timings (probes.*), so a slow start gets the same allowance.
      expect(container.startupProbe?.failureThreshold, name).to.equal(30);
      expect(container.readinessProbe?.periodSeconds, name).to.equal(5);
    }
  });

  it('follow participants.metricsPort into the env, the container port and the PodMonitor', () => {
    const objects = renderChart({
      set: ['participants.enabled=true', 'participants.metricsPort=9500'],
      apiVersions: [MONITORING_API],
    });
    for (const deployment of participantDeployments(objects)) {
      const container = containerOf(deployment);
      expect(container.ports?.[0]?.containerPort).to.equal(9500);
      expect(resolveEnv(container, objects).get('PARTICIPANT_METRICS_PORT')).to.deep.include({
        value: '9500',
      });
    }
    const monitor = findObject<IPodMonitor>(objects, 'PodMonitor');
    expect(monitor.spec.podMetricsEndpoints?.map((e) => e.port)).to.deep.equal(['metrics']);
  });

  it('are scraped by a valid PodMonitor, selecting exactly the participant pods', async () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const monitor = findObject<IPodMonitor>(objects, 'PodMonitor');
    expect(monitor.apiVersion).to.equal(MONITORING_API);
    expect(await validateObjects([monitor as unknown as K8sObject])).to.deep.equal([]);
    expect(monitor.spec.podMetricsEndpoints).to.deep.equal([
      { port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s' },
    ]);
    expect(monitor.spec.namespaceSelector).to.deep.equal({ matchNames: ['sagas'] });
    // The Prometheus that selects the ServiceMonitor by its labels selects this one too.
    expect(monitor.metadata?.labels).to.include({ release: 'kube-prometheus-stack' });
    const selected = objectsOfKind<IDeployment>(objects, 'Deployment')
      .filter((d) => podMonitorSelects(monitor, d))
      .map((d) => d.metadata?.labels?.['app.kubernetes.io/component']);
    expect(selected).to.have.members(PARTICIPANTS.map((name) => `participant-${name}`));
  });

  it('select only the participants that run', () => {
    const objects = renderChart({
      valuesFiles: [PRODUCTION_VALUES],
      set: ['participants.payment.enabled=false'],
    });
    const monitor = findObject<IPodMonitor>(objects, 'PodMonitor');
    expect(monitor.spec.selector.matchExpressions?.[0]?.values).to.deep.equal([
      'participant-inventory',
      'participant-shipping',
    ]);
  });

  it('get no PodMonitor when the ServiceMonitor is off, or when no participant runs', () => {
    const off = renderChart({
      valuesFiles: [PRODUCTION_VALUES],
      set: ['metrics.serviceMonitor.enabled=false'],
    });
    expect(objectsOfKind(off, 'ServiceMonitor')).to.be.empty;
    expect(objectsOfKind(off, 'PodMonitor')).to.be.empty;
    expect(participantDeployments(off)).to.have.length(PARTICIPANTS.length);

    const none = renderChart({
      valuesFiles: [PRODUCTION_VALUES],
      set: PARTICIPANTS.map((name) => `participants.${name}.enabled=false`),
    });
    expect(objectsOfKind(none, 'ServiceMonitor')).to.have.length(1);
    expect(objectsOfKind(none, 'PodMonitor')).to.be.empty;

    const withoutParticipants = renderChart({ apiVersions: [MONITORING_API] });
    expect(objectsOfKind(withoutParticipants, 'ServiceMonitor')).to.have.length(1);
    expect(objectsOfKind(withoutParticipants, 'PodMonitor')).to.be.empty;
  });

  it('refuse PARTICIPANT_METRICS_PORT in a participant env, and a port of 0', () => {
    const duplicate = runHelm(
      templateArgs({
        set: ['participants.enabled=true', 'participants.shipping.env.PARTICIPANT_METRICS_PORT=1'],
      }),
    );
    expect(duplicate.status).to.not.equal(0);
    expect(duplicate.stderr).to.contain('set participants.metricsPort instead');
    const zero = runHelm(
      templateArgs({ set: ['participants.enabled=true', 'participants.metricsPort=0'] }),
    );
    expect(zero.status).to.not.equal(0);
    expect(zero.stderr).to.match(/participants\/metricsPort.*minimum/);
  });

  it('leave the NetworkPolicy on the orchestrator pods alone', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const policy = findObject<INetworkPolicy>(objects, 'NetworkPolicy');
    const matchLabels = policy.spec?.podSelector?.matchLabels ?? {};
    expect(matchLabels).to.include({ 'app.kubernetes.io/component': 'orchestrator' });
    for (const deployment of participantDeployments(objects)) {
      const labels = deployment.spec?.template.metadata?.labels ?? {};
      const selected = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
      expect(selected, deployment.metadata?.name).to.equal(false);
    }
  });
});
