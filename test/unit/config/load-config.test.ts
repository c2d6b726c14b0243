import { expect } from 'chai';
import {
  loadConnectionConfig,
  loadOrchestratorConfig,
  orchestratorEnvSpec,
} from '../../../orchestrator/config/index.js';

import { MINIMAL_ENV as minimal, problemsOf } from './support/config-problems.js';

describe('configuration from the environment', () => {
  it('fills the documented defaults from the two required variables', () => {
    const config = loadOrchestratorConfig(minimal);
    expect(config.kafka.brokers).to.deep.equal(['127.0.0.1:9092']);
    expect(config.kafka.clientId).to.equal('saga-orchestrator');
    expect(config.kafka.sasl).to.equal(undefined);
    expect(config.redis.tls).to.equal(undefined);
    expect(config.http).to.deep.equal({ port: 8080, apiToken: undefined });
    expect(config.console).to.deep.equal({});
    expect(config.topicPrefix).to.equal('saga');
    expect(config.store).to.deep.equal({
      keyPrefix: 'saga',
      shards: 16,
      retentionMs: 7 * 24 * 3_600_000,
    });
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('reads SAGA_TYPES as a comma list; blank means every loaded definition', () => {
    expect(loadOrchestratorConfig(minimal).sagaTypes).to.equal(undefined);
    expect(loadOrchestratorConfig({ ...minimal, SAGA_TYPES: ' , ' }).sagaTypes).to.equal(undefined);
    expect(
      loadOrchestratorConfig({ ...minimal, SAGA_TYPES: 'refund, invoice,refund' }).sagaTypes,
    ).to.deep.equal(['refund', 'invoice']);
  });

  it('reads SAGA_START_VERSIONS as type=version pairs; blank means the newest of each type', () => {
    expect(loadOrchestratorConfig(minimal).startVersions).to.equal(undefined);
    expect(
      loadOrchestratorConfig({ ...minimal, SAGA_START_VERSIONS: 'order=1, refund = 2.1' })
        .startVersions,
    ).to.deep.equal({ order: '1', refund: '2.1' });
    for (const bad of ['order', 'order=1,order=2', '=1']) {
      const problems = problemsOf(() =>
        loadOrchestratorConfig({ ...minimal, SAGA_START_VERSIONS: bad }),
      );
      expect(problems.join('\n'), bad).to.contain('SAGA_START_VERSIONS');
    }
  });

  it('parses lists, durations, TLS and SASL', () => {
    const config = loadOrchestratorConfig({
      ...minimal,
      KAFKA_BROKERS: 'k0:9092, k1:9093',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      REDIS_URL: 'rediss://redis:6380',
      SAGA_RETENTION: '36h',
      SHUTDOWN_TIMEOUT: '1500',
      API_TOKEN: 't0ken',
    });
    expect(config.kafka.brokers).to.deep.equal(['k0:9092', 'k1:9093']);
    expect(config.kafka.sasl).to.deep.equal({
      mechanism: 'scram-sha-512',
      username: 'svc',
      password: 'secret',
    });
    expect(config.kafka.tls).to.deep.include({
      caFile: '/etc/kafka/ca.pem',
      rejectUnauthorized: true,
    });
    expect(config.redis.tls).to.deep.equal({ caFile: undefined, rejectUnauthorized: true });
    expect(config.store.retentionMs).to.equal(36 * 3_600_000);
    expect(config.shutdownTimeoutMs).to.equal(1500);
    expect(config.http.apiToken).to.equal('t0ken');
  });

  it('names every problem at once, with what is wrong', () => {
    const problems = problemsOf(() =>
      loadOrchestratorConfig({
        KAFKA_BROKERS: 'localhost',
        HTTP_PORT: 'eighty',
        SAGA_RETENTION: 'forever',
        SAGA_TOPIC_PREFIX: 'a/b',
      }),
    );
    const text = problems.join('\n');
    expect(text).to.contain('"localhost" is not host:port');
    expect(text).to.contain('REDIS_URL is required');
    expect(text).to.match(/HTTP_PORT/);
    expect(text).to.contain('"forever" is not a duration');
    expect(text).to.match(/SAGA_TOPIC_PREFIX/);
    expect(problems).to.have.length(5);
  });

  it('takes Redis Cluster seed nodes instead of a URL, TLS from the rediss:// scheme', () => {
    const { REDIS_URL: _url, ...withoutUrl } = minimal;
    const cluster = loadOrchestratorConfig({
      ...withoutUrl,
      REDIS_CLUSTER_NODES: ' r0:7000, r1:7001,r2:7002 ',
    });
    expect(cluster.redis).to.deep.equal({
      clusterNodes: [
        { host: 'r0', port: 7000 },
        { host: 'r1', port: 7001 },
        { host: 'r2', port: 7002 },
      ],
      password: undefined,
    });
    const tls = loadOrchestratorConfig({
      ...withoutUrl,
      REDIS_CLUSTER_NODES: 'rediss://r0:7000,rediss://r1:7001',
      REDIS_TLS_CA_FILE: '/etc/redis/ca.pem',
    });
    expect(tls.redis.clusterNodes).to.have.length(2);
    expect(tls.redis.tls).to.deep.equal({ caFile: '/etc/redis/ca.pem', rejectUnauthorized: true });
  });

  it('takes Redis Sentinels and the name they monitor the primary under, TLS from the scheme', () => {
    const { REDIS_URL: _url, ...withoutUrl } = minimal;
    const sentinels = loadOrchestratorConfig({
      ...withoutUrl,
      REDIS_SENTINELS: 's0:26379, s1:26379',
      REDIS_SENTINEL_MASTER: 'orders-redis',
      REDIS_PASSWORD: 'data-pw',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(sentinels.redis).to.deep.equal({
      sentinels: {
        nodes: [
          { host: 's0', port: 26379 },
          { host: 's1', port: 26379 },
        ],
        masterName: 'orders-redis',
        password: 'sentinel-pw',
      },
      password: 'data-pw',
    });
    const defaults = loadOrchestratorConfig({ ...withoutUrl, REDIS_SENTINELS: 's0:26379' });
    expect(defaults.redis.sentinels).to.deep.equal({
      nodes: [{ host: 's0', port: 26379 }],
      masterName: 'mymaster',
      password: undefined,
    });
    const tls = loadOrchestratorConfig({ ...withoutUrl, REDIS_SENTINELS: 'rediss://s0:26379' });
    expect(tls.redis.tls).to.deep.equal({ caFile: undefined, rejectUnauthorized: true });
    const badName = problemsOf(() =>
      loadOrchestratorConfig({
        ...withoutUrl,
        REDIS_SENTINELS: 's0:26379',
        REDIS_SENTINEL_MASTER: 'two words',
      }),
    );
    expect(badName.join('\n')).to.contain('REDIS_SENTINEL_MASTER');
  });

  it('reads REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT: no replica acknowledgements by default', () => {
    expect(loadOrchestratorConfig(minimal).redis.replicaAcks).to.equal(undefined);
    expect(loadOrchestratorConfig({ ...minimal, REDIS_WAIT_REPLICAS: '0' }).redis.replicaAcks).to.be
      .undefined;
    expect(
      loadOrchestratorConfig({ ...minimal, REDIS_WAIT_REPLICAS: '1' }).redis.replicaAcks,
    ).to.deep.equal({ replicas: 1, timeoutMs: 50 });
    expect(
      loadConnectionConfig(
        { ...minimal, REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT: '200ms' },
        'participant',
      ).redis.replicaAcks,
    ).to.deep.equal({ replicas: 2, timeoutMs: 200 });
    expect(
      problemsOf(() => loadOrchestratorConfig({ ...minimal, REDIS_WAIT_REPLICAS: '-1' })).join(
        '\n',
      ),
    ).to.contain('REDIS_WAIT_REPLICAS');
  });

  it('wants exactly one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS, and well-formed nodes', () => {
    const both = problemsOf(() =>
      loadOrchestratorConfig({ ...minimal, REDIS_CLUSTER_NODES: 'r0:7000' }),
    );
    expect(both).to.deep.equal([
      'REDIS_URL and REDIS_CLUSTER_NODES are both set: set only one (REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_SENTINELS for a primary watched by Sentinels)',
    ]);
    const all = problemsOf(() =>
      loadOrchestratorConfig({
        ...minimal,
        REDIS_CLUSTER_NODES: 'r0:7000',
        REDIS_SENTINELS: 's0:26379',
      }),
    );
    expect(all.join('\n')).to.contain(
      'REDIS_URL and REDIS_CLUSTER_NODES and REDIS_SENTINELS are all set: set only one',
    );
    const { REDIS_URL: _url, ...withoutUrl } = minimal;
    const neither = problemsOf(() => loadConnectionConfig({ ...withoutUrl, REDIS_URL: ' ' }, 'x'));
    expect(neither.join('\n')).to.contain('REDIS_URL is required (or REDIS_CLUSTER_NODES');
    expect(neither.join('\n')).to.contain('or REDIS_SENTINELS, the Sentinels of a primary');
    const malformed = problemsOf(() =>
      loadOrchestratorConfig({ ...withoutUrl, REDIS_CLUSTER_NODES: 'r0:7000,r1' }),
    );
    expect(malformed.join('\n')).to.contain('REDIS_CLUSTER_NODES: "r1" is not host:port');
    const mixed = problemsOf(() =>
      loadOrchestratorConfig({
        ...withoutUrl,
        REDIS_CLUSTER_NODES: 'redis://r0:7000,rediss://r1:7001',
      }),
    );
    expect(mixed.join('\n')).to.contain('mixes redis:// and rediss:// nodes');
  });

  it('refuses SASL without credentials and half a client certificate', () => {
    const problems = problemsOf(() =>
      loadConnectionConfig(
        {
          ...minimal,
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_TLS: 'true',
          KAFKA_TLS_CERT_FILE: '/c.pem',
        },
        'participant',
      ),
    );
    expect(problems.join('\n')).to.contain('needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    expect(problems.join('\n')).to.contain('go together');
  });

  // Regression: the orchestrator's consumer always had kafkajs' 30 s session, so a SIGKILLed
  // orchestrator held its reply partitions for 30 s — three of the order saga's 10 s deadlines —
  // and a few crashes in a row turned orders that should complete into compensated ones
  // (test/e2e/orchestrator-crash.test.ts).
  it('reads the consumer timings by the participants’ names, with the same defaults and checks', () => {
    expect(loadOrchestratorConfig(minimal).consumer).to.deep.equal({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 1_000,
    });
    const tuned = loadOrchestratorConfig({
      ...minimal,
      KAFKA_SESSION_TIMEOUT: '6s',
      KAFKA_HEARTBEAT_INTERVAL: '500ms',
      KAFKA_MAX_WAIT: '100',
    });
    expect(tuned.consumer).to.deep.equal({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 100,
    });
    for (const name of ['KAFKA_SESSION_TIMEOUT', 'KAFKA_HEARTBEAT_INTERVAL', 'KAFKA_MAX_WAIT']) {
      expect(orchestratorEnvSpec).to.have.property(name);
    }
    const problems = problemsOf(() =>
      loadOrchestratorConfig({
        ...minimal,
        KAFKA_SESSION_TIMEOUT: '3s',
        KAFKA_HEARTBEAT_INTERVAL: '3s',
        KAFKA_MAX_WAIT: '0',
      }),
    );
    expect(problems).to.deep.equal([
      'KAFKA_HEARTBEAT_INTERVAL must be more than 0 and below KAFKA_SESSION_TIMEOUT',
      'KAFKA_MAX_WAIT must be more than 0',
    ]);
  });

  it('reads a read-only token beside the operator token, and the console links', () => {
    const config = loadOrchestratorConfig({
      ...minimal,
      API_TOKEN: 'operator-t',
      API_READ_TOKEN: 'reader-t',
      CONSOLE_GRAFANA_URL: 'http://grafana:3000',
      CONSOLE_TRACE_URL: 'http://jaeger:16686/trace/{traceId}',
    });
    expect(config.http).to.deep.equal({
      port: 8080,
      apiToken: 'operator-t',
      readToken: 'reader-t',
    });
    expect(config.console).to.deep.equal({
      grafanaUrl: 'http://grafana:3000',
      traceUrlTemplate: 'http://jaeger:16686/trace/{traceId}',
    });
  });

  it('refuses a read-only token alone or equal to the operator token, and links that are not http(s) URLs', () => {
    expect(
      problemsOf(() => loadOrchestratorConfig({ ...minimal, API_READ_TOKEN: 'r' })),
    ).to.deep.equal([
      'API_READ_TOKEN is set without API_TOKEN: set the operator token too (without one the API is open)',
    ]);
    expect(
      problemsOf(() =>
        loadOrchestratorConfig({ ...minimal, API_TOKEN: 'same', API_READ_TOKEN: 'same' }),
      ),
    ).to.deep.equal([
      'API_READ_TOKEN equals API_TOKEN: the read-only token must differ from the operator token',
    ]);
    const links = problemsOf(() =>
      loadOrchestratorConfig({
        ...minimal,
        CONSOLE_GRAFANA_URL: 'ftp://grafana',
        CONSOLE_TRACE_URL: 'http://jaeger:16686/trace/',
      }),
    );
    expect(links.join('\n')).to.contain(
      'CONSOLE_GRAFANA_URL: "ftp://grafana" must start with http:// or https://',
    );
    expect(links.join('\n')).to.contain(
      'CONSOLE_TRACE_URL: "http://jaeger:16686/trace/" must contain {traceId} where the id goes',
    );
  });

  it('lists every variable it reads, for the docs and the Helm chart to compare', () => {
    expect(Object.keys(orchestratorEnvSpec)).to.include.members([
      'KAFKA_BROKERS',
      'REDIS_URL',
      'HTTP_PORT',
      'SAGA_TOPIC_PREFIX',
      'API_TOKEN',
      'API_READ_TOKEN',
      'CONSOLE_GRAFANA_URL',
      'CONSOLE_TRACE_URL',
    ]);
  });
});
