/**
 * What an operator relies on in the rendered workload: enough replicas, probes on the real
 * endpoints, resources, a locked-down security context, and the objects around the Deployment
 * (PDB, Service, HPA, NetworkPolicy, ServiceMonitor) pointing at the right pods.
 */
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IService } from 'kubernetes-models/v1';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import {
  findObject,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  objectsOfKind,
  PRODUCTION_VALUES,
  renderChart,
  type K8sObject,
} from './chart.js';

function orchestrator(objects: readonly K8sObject[]): IDeployment {
  return findObject<IDeployment>(objects, 'Deployment', 'saga-saga-orchestrator');
}

/** True when every label of the selector is on the pod template. */
function selects(selector: Record<string, string> | undefined, deployment: IDeployment): boolean {
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  return (
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value)
  );
}

describe('Helm chart: the orchestrator workload', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);

  before(function () {
    helmBinary();
  });

  it('runs at least two replicas by default', () => {
    expect(orchestrator(renderChart()).spec?.replicas).to.be.at.least(2);
  });

  it('probes /readyz for readiness and /healthz for liveness and start-up, on the HTTP port', () => {
    const container = orchestrator(renderChart()).spec?.template.spec?.containers[0];
    expect(container?.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'http' });
    expect(container?.livenessProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
    expect(container?.startupProbe?.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
    expect(container?.ports?.map((p) => p.name)).to.deep.equal(['http']);
  });

  it('runs the compiled entry point with plain node, not tsx', () => {
    const container = orchestrator(renderChart()).spec?.template.spec?.containers[0];
    expect(container?.command).to.equal(undefined); // the image's ENTRYPOINT is node
    expect(container?.args).to.deep.equal(['dist/orchestrator/main.js']);
    expect(container?.image).to.equal('saga-orchestrator:0.1.0');
  });

  it('sets CPU and memory requests and a memory limit', () => {
    const resources = orchestrator(renderChart()).spec?.template.spec?.containers[0]?.resources;
    expect(resources?.requests).to.have.keys('cpu', 'memory');
    expect(resources?.limits).to.have.property('memory');
  });

  it('runs non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', () => {
    for (const valuesFiles of [[], [PRODUCTION_VALUES]]) {
      for (const deployment of objectsOfKind<IDeployment>(
        renderChart({ valuesFiles }),
        'Deployment',
      )) {
        const pod = deployment.spec?.template.spec;
        const name = deployment.metadata?.name;
        expect(pod?.securityContext?.runAsNonRoot, name).to.equal(true);
        expect(pod?.securityContext?.runAsUser, name).to.be.greaterThan(0);
        expect(pod?.securityContext?.seccompProfile, name).to.deep.equal({
          type: 'RuntimeDefault',
        });
        expect(pod?.automountServiceAccountToken, name).to.equal(false);
        for (const container of pod?.containers ?? []) {
          expect(container.securityContext, name).to.deep.include({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            runAsNonRoot: true,
          });
          expect(container.securityContext?.capabilities?.drop, name).to.deep.equal(['ALL']);
          // A read-only root needs somewhere to write temporary files.
          const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
          const volume = pod?.volumes?.find((v) => v.name === tmp?.name);
          expect(volume?.emptyDir, `${name}: /tmp is an emptyDir`).to.be.an('object');
        }
      }
    }
  });

  it('rolls the pods when the settings change', () => {
    const before = orchestrator(renderChart()).spec?.template.metadata?.annotations;
    const after = orchestrator(renderChart({ set: ['config.logLevel=debug'] })).spec?.template
      .metadata?.annotations;
    expect(before?.['checksum/config']).to.match(/^[0-9a-f]{64}$/);
    expect(after?.['checksum/config']).to.not.equal(before?.['checksum/config']);
  });

  it('points the Service and the PodDisruptionBudget at the orchestrator pods', () => {
    const objects = renderChart();
    const deployment = orchestrator(objects);
    expect(selects(findObject<IService>(objects, 'Service').spec?.selector, deployment)).to.equal(
      true,
    );
    const pdb = findObject<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    expect(selects(pdb.spec?.selector?.matchLabels, deployment)).to.equal(true);
    expect(pdb.spec?.maxUnavailable).to.equal(1);
    expect(selects(deployment.spec?.selector.matchLabels, deployment)).to.equal(true);
  });

  it('hands the replica count to the HPA when autoscaling is on', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const deployment = orchestrator(objects);
    expect(deployment.spec?.replicas).to.equal(undefined);
    const hpa = findObject<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec?.scaleTargetRef).to.deep.equal({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata?.name,
    });
    expect(hpa.spec?.minReplicas).to.equal(3);
    expect(hpa.spec?.maxReplicas).to.equal(12);
  });

  it('limits traffic with the NetworkPolicy: the HTTP port in, DNS plus the listed rules out', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const policy = findObject<INetworkPolicy>(objects, 'NetworkPolicy');
    expect(selects(policy.spec?.podSelector?.matchLabels, orchestrator(objects))).to.equal(true);
    expect(policy.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    expect(policy.spec?.ingress?.[0]?.ports).to.deep.equal([{ port: 'http', protocol: 'TCP' }]);
    expect(policy.spec?.ingress?.[0]?.from).to.have.length(2);
    expect(policy.spec?.egress?.[0]?.ports?.map((p) => p.port)).to.deep.equal([53, 53]);
    expect(policy.spec?.egress).to.have.length(4);
  });

  it('scrapes /metrics through the Service port with the ServiceMonitor', () => {
    const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const monitor = findObject<IServiceMonitor>(objects, 'ServiceMonitor');
    const service = findObject<IService>(objects, 'Service');
    const serviceLabels = service.metadata?.labels ?? {};
    const selector = monitor.spec.selector.matchLabels ?? {};
    expect(Object.entries(selector).every(([k, v]) => serviceLabels[k] === v)).to.equal(true);
    expect(monitor.spec.endpoints?.[0]).to.deep.include({ port: 'http', path: '/metrics' });
    expect(service.spec?.ports?.map((p) => p.name)).to.include('http');
    expect(monitor.metadata?.labels).to.include({ release: 'kube-prometheus-stack' });
  });
});
