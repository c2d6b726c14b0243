/**
 * Bad values fail at `helm install` time (values.schema.json, and the chart's own checks for what
 * a schema cannot say), with a message that names the value; and values.yaml documents every key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import {
  CHART_DIR,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  renderChart,
  runHelm,
  templateArgs,
} from './chart.js';

function templateFails(options: Parameters<typeof templateArgs>[0]): string {
  const result = runHelm(templateArgs(options));
  expect(result.status, `helm template should have failed:\n${result.stdout}`).to.not.equal(0);
  return result.stderr;
}

describe('Helm chart: values are checked at install time', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);
  let scratch: string;

  before(function () {
    scratch = mkdtempSync(path.join(tmpdir(), 'saga-chart-values-'));
    helmBinary();
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('rejects replicaCount: "three" from a values file', () => {
    const file = path.join(scratch, 'three.yaml');
    writeFileSync(file, 'replicaCount: "three"\n');
    const stderr = templateFails({ valuesFiles: [file] });
    expect(stderr)
      .to.match(/replicaCount/)
      .and.match(/want integer/);
  });

  it('rejects replicaCount=three from --set', () => {
    expect(templateFails({ set: ['replicaCount=three'] })).to.match(/replicaCount.*want integer/);
  });

  const badValues: [string, string[], RegExp][] = [
    ['an unknown SASL mechanism', ['kafka.sasl.mechanism=gssapi'], /mechanism.*must be one of/],
    ['a misspelt key', ['kafka.brokerz[0]=a:1'], /additional properties 'brokerz'/],
    ['a broker without a port', ['kafka.brokers[0]=kafka'], /brokers\/0.*pattern/],
    ['a Redis URL of another scheme', ['redis.url=http://redis:6379'], /redis\/url.*pattern/],
    [
      'a Redis Cluster node without a port',
      ['redis.clusterNodes={redis-0}'],
      /redis\/clusterNodes\/0.*pattern/,
    ],
    ['zero partitions', ['topics.partitions=0'], /partitions.*minimum/],
    [
      'a start version that is not one version',
      ['config.startVersions.order=1 or 2'],
      /startVersions\/order.*pattern/,
    ],
    [
      'a start version for a type name the loader cannot have',
      ['config.startVersions.Order=1'],
      /invalid propertyName 'Order'/,
    ],
    ['a log level the loader does not know', ['config.logLevel=verbose'], /logLevel/],
    [
      'a lifecycle event level the loader does not know',
      ['config.lifecycleEvents=all'],
      /lifecycleEvents/,
    ],
    [
      'a session timeout that is not a duration',
      ['kafka.consumer.sessionTimeout=soon'],
      /sessionTimeout.*pattern/,
    ],
    [
      'a ServiceMonitor flag that is neither boolean nor auto',
      ['metrics.serviceMonitor.enabled=maybe'],
      /serviceMonitor\/enabled/,
    ],
    [
      'a trace URL without {traceId}',
      ['console.traceUrl=https://jaeger.example.com/trace/'],
      /traceUrl.*pattern/,
    ],
    [
      'an OpenTelemetry variable that is not OTEL_*',
      ['otel.env.FOO=bar'],
      /'FOO' does not match pattern '\^OTEL_/,
    ],
  ];
  for (const [what, set, message] of badValues) {
    it(`rejects ${what}`, () => {
      expect(templateFails({ set })).to.match(message);
    });
  }

  it('rejects SASL without the Secret that holds the password, saying what is missing', () => {
    const stderr = templateFails({ set: ['kafka.sasl.mechanism=plain', 'kafka.sasl.username=u'] });
    expect(stderr).to.contain('kafka.sasl.existingSecret');
  });

  it('rejects a Redis CA without a rediss:// URL', () => {
    expect(templateFails({ set: ['redis.tls.existingSecret=ca'] })).to.contain('rediss://');
  });

  it('rejects a read-only token without the Secret, or under the operator token’s key', () => {
    expect(templateFails({ set: ['api.readTokenKey=read'] })).to.contain(
      'api.readTokenKey needs api.existingSecret',
    );
    const same = templateFails({
      set: ['api.existingSecret=s', 'api.tokenKey=token', 'api.readTokenKey=token'],
    });
    expect(same).to.contain('the read-only token must be another key');
  });

  it('rejects half a client certificate', () => {
    const stderr = templateFails({
      set: ['kafka.tls.enabled=true', 'kafka.tls.existingSecret=t', 'kafka.tls.certKey=tls.crt'],
    });
    expect(stderr).to.contain('certKey and kafka.tls.keyKey go together');
  });

  it('accepts the documented forms of the values it checks', () => {
    const objects = renderChart({
      set: [
        'metrics.serviceMonitor.enabled=false',
        'podDisruptionBudget.minAvailable=50%',
        'otel.env.OTEL_TRACES_SAMPLER=parentbased_traceidratio',
        'config.retention=36h',
        'kafka.consumer.sessionTimeout=10s',
      ],
    });
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget')?.spec).to.deep.include({
      minAvailable: '50%',
    });
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(
      configMaps.map((o) => (o as { data?: Record<string, string> }).data?.KAFKA_SESSION_TIMEOUT),
    ).to.include('10s');
  });
});

describe('Helm chart: values.yaml documents every key', () => {
  /** Keys with no `# --` comment on themselves or on a parent section. */
  function undocumented(map: YAMLMap, parents: string[], documented: boolean): string[] {
    const missing: string[] = [];
    map.items.forEach((pair, index) => {
      if (!isScalar(pair.key)) return;
      const key = [...parents, String(pair.key.value)];
      // The first key's comment is parsed onto the map that holds it.
      const comment = pair.key.commentBefore ?? (index === 0 ? map.commentBefore : undefined);
      const own = /(^|\n) ?-- /.test(comment ?? '');
      if (isMap(pair.value) && !own) {
        missing.push(...undocumented(pair.value, key, documented));
      } else if (!own && !documented) {
        missing.push(key.join('.'));
      }
    });
    return missing;
  }

  it('the check finds a key without documentation', () => {
    const document = parseDocument(
      '# -- documented\na: 1\nsection:\n  # -- documented\n  b: 2\n  c: 3\n# -- whole section\nd:\n  e: 4\n',
    );
    expect(undocumented(document.contents as YAMLMap, [], false)).to.deep.equal(['section.c']);
  });

  it('has a "# --" comment for each key or its section', () => {
    const document = parseDocument(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    expect(isMap(document.contents)).to.equal(true);
    expect(undocumented(document.contents as YAMLMap, [], false)).to.deep.equal([]);
  });

  it('has every key in values.schema.json, which refuses unknown ones', () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    const values = parseDocument(
      readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'),
    ).toJS() as Record<string, unknown>;
    expect(schema.additionalProperties).to.equal(false);
    expect(Object.keys(schema.properties)).to.include.members(Object.keys(values));
  });
});
