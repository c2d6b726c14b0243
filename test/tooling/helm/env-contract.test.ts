/**
 * The environment the chart gives each process matches the names the process reads
 * (orchestrator/config/env-spec.ts), so the chart and the code cannot drift apart: every name the
 * chart sets is known, every required name is set, secrets come from Secrets, and the resulting
 * environment passes the orchestrator's own configuration loader.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { parse as parseYaml } from 'yaml';
import {
  connectionEnvSpec,
  consumerTimingEnvSpec,
  loadConnectionConfig,
  loadOrchestratorConfig,
  orchestratorEnvSpec,
  participantEnvSpec,
} from '../../../orchestrator/config/index.js';
import { loadParticipantConfig, type ExampleName } from '../../../participants/config.js';
import {
  envRecord,
  findObject,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  MINIMAL_VALUES,
  objectsOfKind,
  PRODUCTION_VALUES,
  renderChart,
  resolveEnv,
  type EnvSource,
  type K8sObject,
  type RenderOptions,
} from './chart.js';

/** Standard OpenTelemetry variables, read by the SDK rather than by our loader. */
const OTEL = /^OTEL_[A-Z0-9_]+$/;
/** Names whose values are secret: never in a ConfigMap or a plain value. */
const SECRET_NAMES = ['KAFKA_SASL_PASSWORD', 'REDIS_PASSWORD', 'API_TOKEN', 'API_READ_TOKEN'];

/**
 * The orchestrator's environment with every Secret's value `secretValue`, except the read-only
 * token: in a real Secret it is another token (the loader refuses two equal ones).
 */
function orchestratorEnv(env: ReadonlyMap<string, EnvSource>, secretValue?: string) {
  const record = envRecord(env, secretValue);
  if (record.API_READ_TOKEN !== undefined) record.API_READ_TOKEN = `${record.API_READ_TOKEN}-read`;
  return record;
}

const requiredNames = (spec: Record<string, object>) =>
  Object.entries(spec)
    .filter(([, validator]) => !('default' in validator))
    .map(([name]) => name);

const VALUES_CASES: { name: string; options: RenderOptions }[] = [
  { name: 'default values', options: {} },
  { name: 'ci/production-values.yaml', options: { valuesFiles: [PRODUCTION_VALUES] } },
  { name: 'ci/minimal-values.yaml', options: { valuesFiles: [MINIMAL_VALUES] } },
];

function orchestratorDeployment(objects: readonly K8sObject[]): IDeployment {
  const deployment = objectsOfKind<IDeployment>(objects, 'Deployment').find(
    (d) => d.metadata?.labels?.['app.kubernetes.io/component'] === 'orchestrator',
  );
  if (!deployment) throw new Error('no orchestrator Deployment rendered');
  return deployment;
}

function podSpec(deployment: IDeployment): IPodSpec {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error(`${deployment.metadata?.name} has no pod spec`);
  return spec;
}

function onlyContainer(deployment: IDeployment): IContainer {
  const containers = podSpec(deployment).containers;
  expect(containers, deployment.metadata?.name).to.have.length(1);
  return containers[0]!;
}

function unknownNames(env: ReadonlyMap<string, EnvSource>, known: Iterable<string>): string[] {
  const allowed = new Set(known);
  return [...env.keys()].filter((name) => !allowed.has(name) && !OTEL.test(name));
}

/** Asserts a file path in the environment lies in a read-only mount of the named Secret's key. */
function expectSecretFile(
  deployment: IDeployment,
  file: string | undefined,
  secretName: string,
  secretKey: string,
): void {
  expect(file, 'file path').to.be.a('string');
  const spec = podSpec(deployment);
  const mount = onlyContainer(deployment).volumeMounts?.find((m) =>
    file!.startsWith(`${m.mountPath}/`),
  );
  expect(mount, `a volume mounted over ${file}`).to.not.equal(undefined);
  expect(mount!.readOnly).to.equal(true);
  const volume = spec.volumes?.find((v) => v.name === mount!.name);
  expect(volume?.secret?.secretName).to.equal(secretName);
  const fileName = file!.slice(mount!.mountPath.length + 1);
  expect(volume?.secret?.items).to.deep.include({ key: secretKey, path: fileName });
}

describe('Helm chart: the environment matches the configuration the processes read', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);

  before(function () {
    helmBinary();
  });

  for (const { name, options } of VALUES_CASES) {
    describe(name, () => {
      it('sets only names the orchestrator reads (or OTEL_*) and every required one', () => {
        const objects = renderChart(options);
        const env = resolveEnv(onlyContainer(orchestratorDeployment(objects)), objects);
        expect(unknownNames(env, Object.keys(orchestratorEnvSpec))).to.deep.equal([]);
        const required = requiredNames(orchestratorEnvSpec);
        expect(required).to.include.members(['KAFKA_BROKERS']);
        for (const requiredName of required) expect([...env.keys()]).to.include(requiredName);
        // Redis: one of the two, never both (the loader refuses both and neither).
        expect(['REDIS_URL', 'REDIS_CLUSTER_NODES'].filter((n) => env.has(n))).to.have.length(1);
      });

      it('produces an environment the orchestrator config loader accepts', () => {
        const objects = renderChart(options);
        const deployment = orchestratorDeployment(objects);
        const env = resolveEnv(onlyContainer(deployment), objects);
        const config = loadOrchestratorConfig(orchestratorEnv(env));
        const port = onlyContainer(deployment).ports?.find((p) => p.name === 'http');
        expect(port?.containerPort).to.equal(config.http.port);
      });

      it('keeps secrets out of ConfigMaps and plain values', () => {
        const objects = renderChart(options);
        for (const configMap of objectsOfKind(objects, 'ConfigMap')) {
          const keys = Object.keys((configMap.data as Record<string, string> | undefined) ?? {});
          expect(keys.filter((key) => /PASSWORD|TOKEN|SECRET/.test(key))).to.deep.equal([]);
        }
        for (const deployment of objectsOfKind<IDeployment>(objects, 'Deployment')) {
          const env = resolveEnv(onlyContainer(deployment), objects);
          for (const secretName of SECRET_NAMES) {
            const source = env.get(secretName);
            if (source)
              expect(source.from, `${secretName} in ${deployment.metadata?.name}`).to.equal(
                'secret',
              );
          }
        }
      });
    });
  }

  describe('ci/production-values.yaml (SASL, mutual TLS, Redis TLS, API token)', () => {
    const values = parseYaml(readFileSync(PRODUCTION_VALUES, 'utf8')) as {
      kafka: { sasl: { existingSecret: string; passwordKey: string; mechanism: string } };
      redis: { existingSecret: string; passwordKey: string; tls: { existingSecret: string } };
      api: { existingSecret: string; tokenKey: string; readTokenKey: string };
      console: { grafanaUrl: string; traceUrl: string };
      participants: Record<string, { env?: Record<string, string> }>;
    };

    it('takes the SASL password, Redis password and API token from the named Secrets', () => {
      const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
      const env = resolveEnv(onlyContainer(orchestratorDeployment(objects)), objects);
      expect(env.get('KAFKA_SASL_PASSWORD')).to.deep.equal({
        from: 'secret',
        secret: values.kafka.sasl.existingSecret,
        key: values.kafka.sasl.passwordKey,
      });
      expect(env.get('REDIS_PASSWORD')).to.deep.equal({
        from: 'secret',
        secret: values.redis.existingSecret,
        key: values.redis.passwordKey,
      });
      expect(env.get('API_TOKEN')).to.deep.equal({
        from: 'secret',
        secret: values.api.existingSecret,
        key: values.api.tokenKey,
      });
      expect(env.get('API_READ_TOKEN')).to.deep.equal({
        from: 'secret',
        secret: values.api.existingSecret,
        key: values.api.readTokenKey,
      });
    });

    it('mounts the TLS material from Secrets at the paths the loader is given', () => {
      const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
      const deployment = orchestratorDeployment(objects);
      const config = loadOrchestratorConfig(
        orchestratorEnv(resolveEnv(onlyContainer(deployment), objects), 's3cret'),
      );
      expect(config.kafka.sasl).to.deep.equal({
        mechanism: values.kafka.sasl.mechanism,
        username: 'saga-orchestrator',
        password: 's3cret',
      });
      expect(config.kafka.tls?.rejectUnauthorized).to.equal(true);
      expectSecretFile(deployment, config.kafka.tls?.caFile, 'saga-kafka-tls', 'ca.crt');
      expectSecretFile(deployment, config.kafka.tls?.certFile, 'saga-kafka-tls', 'tls.crt');
      expectSecretFile(deployment, config.kafka.tls?.keyFile, 'saga-kafka-tls', 'tls.key');
      expect(config.redis.password).to.equal('s3cret');
      expectSecretFile(
        deployment,
        config.redis.tls?.caFile,
        values.redis.tls.existingSecret,
        'ca.crt',
      );
      expect(config.http.apiToken).to.equal('s3cret');
      expect(config.http.readToken).to.equal('s3cret-read');
      expect(config.console).to.deep.equal({
        grafanaUrl: values.console.grafanaUrl,
        traceUrlTemplate: values.console.traceUrl,
      });
      expect(config.topics).to.deep.equal({ partitions: 24, replicationFactor: 3, create: true });
      expect(config.shutdownTimeoutMs).to.equal(45_000);
      expect(podSpec(deployment).terminationGracePeriodSeconds).to.be.greaterThan(45);
    });

    it('gives each example participant connection names only, plus its own settings and port', () => {
      const objects = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
      const participants = objectsOfKind<IDeployment>(objects, 'Deployment').filter((d) =>
        d.metadata?.labels?.['app.kubernetes.io/component']?.startsWith('participant-'),
      );
      expect(participants.map((d) => d.metadata?.name)).to.have.members([
        'saga-saga-orchestrator-inventory',
        'saga-saga-orchestrator-payment',
        'saga-saga-orchestrator-shipping',
      ]);
      for (const deployment of participants) {
        const container = onlyContainer(deployment);
        const participant = container.args?.[1] ?? '';
        expect(container.args).to.deep.equal(['dist/participants/main.js', participant]);
        const env = resolveEnv(container, objects);
        // Beyond the shared names, the chart passes exactly the participant settings the values
        // file names for that participant, and the port of its metrics and probes.
        const own = Object.keys(values.participants[participant]?.env ?? {});
        const shared = [...Object.keys(connectionEnvSpec), ...Object.keys(consumerTimingEnvSpec)];
        const port = 'PARTICIPANT_METRICS_PORT';
        expect(Object.keys(participantEnvSpec)).to.include(port);
        expect(unknownNames(env, [...shared, ...own, port])).to.deep.equal([]);
        // The participant's own loader accepts the environment; its port is the container's.
        const loaded = loadParticipantConfig(participant as ExampleName, envRecord(env));
        const metricsPort = container.ports?.find((p) => p.name === 'metrics')?.containerPort;
        expect(metricsPort).to.be.a('number');
        expect(loaded.metricsPort).to.equal(metricsPort);
        expect(env.get('KAFKA_SESSION_TIMEOUT')).to.deep.include({ value: '6s' });
        for (const ownName of own) expect(env.get(ownName)?.from).to.equal('value');
        const config = loadConnectionConfig(envRecord(env), participant);
        expect(config.kafka.sasl?.mechanism).to.equal('scram-sha-512');
        expectSecretFile(deployment, config.kafka.tls?.caFile, 'saga-kafka-tls', 'ca.crt');
        expect(env.get('OTEL_SERVICE_NAME')).to.deep.equal({
          from: 'value',
          value: `saga-participant-${participant}`,
        });
      }
    });
  });

  it('follows config.httpPort into HTTP_PORT, the container port and the probes', () => {
    const objects = renderChart({ set: ['config.httpPort=9191'] });
    const deployment = orchestratorDeployment(objects);
    const container = onlyContainer(deployment);
    const env = resolveEnv(container, objects);
    expect(loadOrchestratorConfig(envRecord(env)).http.port).to.equal(9191);
    expect(container.ports).to.deep.equal([{ name: 'http', containerPort: 9191, protocol: 'TCP' }]);
    expect(container.readinessProbe?.httpGet?.port).to.equal('http');
    expect(findObject(objects, 'Service').spec).to.deep.include({
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  it('passes config.sagaTypes as SAGA_TYPES, and none by default (every loaded definition)', () => {
    const chosen = renderChart({ set: ['config.sagaTypes={refund,invoice}'] });
    const env = resolveEnv(onlyContainer(orchestratorDeployment(chosen)), chosen);
    expect(loadOrchestratorConfig(envRecord(env)).sagaTypes).to.deep.equal(['refund', 'invoice']);
    const defaults = renderChart({});
    const defaultEnv = resolveEnv(onlyContainer(orchestratorDeployment(defaults)), defaults);
    expect(defaultEnv.has('SAGA_TYPES')).to.equal(false);
  });

  it('passes config.startVersions as SAGA_START_VERSIONS, and none by default (the newest)', () => {
    // A number as YAML reads it (order: 1) and a string: both become the version's text.
    const chosen = renderChart({
      set: ['config.startVersions.order=1', 'config.startVersions.refund=v2-beta'],
    });
    const env = resolveEnv(onlyContainer(orchestratorDeployment(chosen)), chosen);
    expect(env.get('SAGA_START_VERSIONS')).to.deep.include({ value: 'order=1,refund=v2-beta' });
    expect(loadOrchestratorConfig(envRecord(env)).startVersions).to.deep.equal({
      order: '1',
      refund: 'v2-beta',
    });
    const defaults = renderChart({});
    const defaultEnv = resolveEnv(onlyContainer(orchestratorDeployment(defaults)), defaults);
    expect(defaultEnv.has('SAGA_START_VERSIONS')).to.equal(false);
    expect(loadOrchestratorConfig(envRecord(defaultEnv)).startVersions).to.equal(undefined);
  });

  it('passes redis.clusterNodes as REDIS_CLUSTER_NODES instead of REDIS_URL, to every process', () => {
    const objects = renderChart({
      set: [
        'redis.clusterNodes={rediss://r-0:6379,rediss://r-1:6379}',
        'redis.tls.existingSecret=r-ca',
      ],
    });
    for (const deployment of objectsOfKind<IDeployment>(objects, 'Deployment')) {
      const env = resolveEnv(onlyContainer(deployment), objects);
      expect(env.has('REDIS_URL'), deployment.metadata?.name).to.equal(false);
      const config = loadConnectionConfig(envRecord(env), 'any');
      expect(config.redis.clusterNodes).to.deep.equal([
        { host: 'r-0', port: 6379 },
        { host: 'r-1', port: 6379 },
      ]);
      expect(config.redis.tls?.caFile).to.be.a('string');
    }
    const plain = renderChart({ set: ['redis.clusterNodes={r-0:6379}'] });
    const env = resolveEnv(onlyContainer(orchestratorDeployment(plain)), plain);
    expect(loadOrchestratorConfig(envRecord(env)).redis).to.deep.equal({
      clusterNodes: [{ host: 'r-0', port: 6379 }],
      password: undefined,
    });
  });

  it('passes redis.sentinels and redis.sentinelMaster instead of REDIS_URL, with the Sentinels’ password', () => {
    const objects = renderChart({
      set: [
        'redis.sentinels={s-0:26379,s-1:26379}',
        'redis.sentinelMaster=orders',
        'redis.existingSecret=redis-auth',
        'redis.sentinelPasswordKey=sentinel-password',
      ],
    });
    for (const deployment of objectsOfKind<IDeployment>(objects, 'Deployment')) {
      const container = onlyContainer(deployment);
      const env = resolveEnv(container, objects);
      expect(env.has('REDIS_URL'), deployment.metadata?.name).to.equal(false);
      const config = loadConnectionConfig(envRecord(env), 'any');
      expect(config.redis.sentinels?.nodes).to.deep.equal([
        { host: 's-0', port: 26379 },
        { host: 's-1', port: 26379 },
      ]);
      expect(config.redis.sentinels?.masterName).to.equal('orders');
      const secretRef = container.env?.find((e) => e.name === 'REDIS_SENTINEL_PASSWORD')?.valueFrom
        ?.secretKeyRef;
      expect(secretRef).to.deep.equal({ name: 'redis-auth', key: 'sentinel-password' });
    }
    expect(() =>
      renderChart({ set: ['redis.sentinels={s-0:26379}', 'redis.clusterNodes={r-0:6379}'] }),
    ).to.throw(/redis.clusterNodes and redis.sentinels are both set/);
    expect(() =>
      renderChart({ set: ['redis.sentinels={s-0:26379}', 'redis.sentinelPasswordKey=p'] }),
    ).to.throw(/redis.sentinelPasswordKey needs redis.existingSecret/);
  });

  it('turns off start-up topic creation when asked', () => {
    const objects = renderChart({ set: ['topics.create=false'] });
    const env = resolveEnv(onlyContainer(orchestratorDeployment(objects)), objects);
    expect(loadOrchestratorConfig(envRecord(env)).topics.create).to.equal(false);
  });

  it('the drift check itself catches a name the orchestrator does not read', () => {
    const objects = renderChart({
      set: ['extraEnv[0].name=KAFKA_BROKER', 'extraEnv[0].value=x:1'],
    });
    const env = resolveEnv(onlyContainer(orchestratorDeployment(objects)), objects);
    expect(unknownNames(env, Object.keys(orchestratorEnvSpec))).to.deep.equal(['KAFKA_BROKER']);
  });
});
