import { expect } from 'chai';
import {
  connectionEnvSpec,
  ORCHESTRATOR_ENV_NAMES,
  orchestratorEnvSpec,
  PARTICIPANT_ENV_NAMES,
  participantEnvSpec,
} from '../../../orchestrator/config/index.js';
import { compileKafkaOptions } from '../../../wire/kafka/index.js';
import { loadParticipantConfig } from '../../../participants/config.js';
import { MINIMAL_ENV as minimal, problemsOf } from './support/config-problems.js';

describe('participant process configuration from the environment', () => {
  it('fills the documented defaults from the two required variables', () => {
    const config = loadParticipantConfig('inventory', minimal);
    expect(config.kafka).to.deep.equal({
      brokers: ['127.0.0.1:9092'],
      clientId: 'saga-participant-inventory',
    });
    expect(config.redis).to.deep.equal({ url: 'redis://127.0.0.1:6379', password: undefined });
    expect(config).to.deep.include({
      participant: 'inventory',
      topicPrefix: 'saga',
      logLevel: 'info',
      keyPrefix: 'saga-example',
      groupId: undefined,
      claimLeaseMs: 5_000,
      maxTries: 3,
      inventoryStock: {},
      paymentCreditLimits: {},
      paymentDefaultCreditLimit: undefined,
    });
    expect(config.subscriber).to.deep.equal({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 1_000,
    });
    expect(config.topics).to.deep.equal({ partitions: 12, replicationFactor: 1, create: true });
    expect(config.shipping).to.deep.equal({ delayMs: 0, failureRate: 0, failureSeed: 'shipping' });
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('reads every participant setting, durations with units or as bare milliseconds', () => {
    const config = loadParticipantConfig('shipping', {
      ...minimal,
      SAGA_TOPIC_PREFIX: 'shop',
      LOG_LEVEL: 'warn',
      SAGA_TOPIC_PARTITIONS: '4',
      SAGA_TOPIC_REPLICATION_FACTOR: '3',
      SAGA_CREATE_TOPICS: 'false',
      PARTICIPANT_KEY_PREFIX: 'demo',
      PARTICIPANT_GROUP_ID: 'shop.shipping-blue',
      PARTICIPANT_CLAIM_LEASE: '2s',
      PARTICIPANT_MAX_TRIES: '5',
      KAFKA_SESSION_TIMEOUT: '6000',
      KAFKA_HEARTBEAT_INTERVAL: '500ms',
      KAFKA_MAX_WAIT: '100',
      INVENTORY_STOCK: 'SKU-1=10, SKU-2=5',
      PAYMENT_CREDIT_LIMITS: 'c-1=500,c-2=80.5',
      PAYMENT_DEFAULT_CREDIT_LIMIT: '100',
      SHIPPING_DELAY: '250ms',
      SHIPPING_FAILURE_RATE: '0.25',
      SHIPPING_FAILURE_SEED: 'run-7',
    });
    expect(config).to.deep.include({
      topicPrefix: 'shop',
      logLevel: 'warn',
      keyPrefix: 'demo',
      groupId: 'shop.shipping-blue',
      claimLeaseMs: 2_000,
      maxTries: 5,
      inventoryStock: { 'SKU-1': 10, 'SKU-2': 5 },
      paymentCreditLimits: { 'c-1': 500, 'c-2': 80.5 },
      paymentDefaultCreditLimit: 100,
    });
    expect(config.topics).to.deep.equal({ partitions: 4, replicationFactor: 3, create: false });
    expect(config.subscriber).to.deep.equal({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      maxWaitTimeMs: 100,
    });
    expect(config.shipping).to.deep.equal({
      delayMs: 250,
      failureRate: 0.25,
      failureSeed: 'run-7',
    });
  });

  it('shares the connection settings with the orchestrator: SASL, TLS, Redis password and TLS', () => {
    const config = loadParticipantConfig('payment', {
      ...minimal,
      KAFKA_CLIENT_ID: 'pay-1',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
      REDIS_URL: 'rediss://redis:6380',
      REDIS_PASSWORD: 'r3dis',
      REDIS_TLS_CA_FILE: '/etc/redis/ca.pem',
    });
    expect(config.kafka).to.deep.equal({
      brokers: ['127.0.0.1:9092'],
      clientId: 'pay-1',
      sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'secret' },
      // Only the files that are set: the transport reads every file it is given.
      tls: { caFile: '/etc/kafka/ca.pem', rejectUnauthorized: false },
    });
    expect(config.redis).to.deep.equal({
      url: 'rediss://redis:6380',
      password: 'r3dis',
      tls: { caFile: '/etc/redis/ca.pem', rejectUnauthorized: true },
    });
  });

  it('connects to a Redis Cluster by REDIS_CLUSTER_NODES, as the orchestrator does', () => {
    const { REDIS_URL: _url, ...withoutUrl } = minimal;
    const config = loadParticipantConfig('inventory', {
      ...withoutUrl,
      REDIS_CLUSTER_NODES: 'r0:7000,r1:7001',
    });
    expect(config.redis).to.deep.equal({
      clusterNodes: [
        { host: 'r0', port: 7000 },
        { host: 'r1', port: 7001 },
      ],
      password: undefined,
    });
    expect(() =>
      loadParticipantConfig('inventory', { ...minimal, REDIS_CLUSTER_NODES: 'r0:7000' }),
    ).to.throw(/REDIS_URL and REDIS_CLUSTER_NODES are both set/);
  });

  it('gives the transport options it accepts', () => {
    const config = loadParticipantConfig('payment', {
      ...minimal,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TLS: 'true',
    });
    const compiled = compileKafkaOptions(config.kafka);
    expect(compiled.clientId).to.equal('saga-participant-payment');
    expect(compiled.kafkaConfig.sasl).to.deep.equal({
      mechanism: 'plain',
      username: 'svc',
      password: 'secret',
    });
    expect(compiled.kafkaConfig.ssl).to.not.equal(undefined);
  });

  it('treats blank optional values as not set', () => {
    const config = loadParticipantConfig('payment', {
      ...minimal,
      PARTICIPANT_GROUP_ID: '',
      INVENTORY_STOCK: ' ',
      PAYMENT_CREDIT_LIMITS: '',
      PAYMENT_DEFAULT_CREDIT_LIMIT: '',
    });
    expect(config).to.deep.include({
      groupId: undefined,
      inventoryStock: {},
      paymentCreditLimits: {},
      paymentDefaultCreditLimit: undefined,
    });
  });

  it('names every problem at once, shared and participant settings together', () => {
    const problems = problemsOf(() =>
      loadParticipantConfig('inventory', {
        REDIS_URL: 'http://redis:6379',
        LOG_LEVEL: 'loud',
        INVENTORY_STOCK: 'SKU-1=ten,SKU-2=-1,SKU-3=4',
        PAYMENT_DEFAULT_CREDIT_LIMIT: '-5',
        SHIPPING_FAILURE_RATE: '2',
        PARTICIPANT_MAX_TRIES: '0',
        SHIPPING_DELAY: 'soon',
      }),
    );
    const text = problems.join('\n');
    expect(text).to.contain('KAFKA_BROKERS is required');
    expect(text).to.match(/REDIS_URL: .*must start with redis:\/\/ or rediss:\/\//);
    expect(text).to.match(/LOG_LEVEL/);
    expect(text).to.contain('INVENTORY_STOCK: "SKU-1=ten", "SKU-2=-1" not <name>=<units>');
    expect(text).to.match(/PAYMENT_DEFAULT_CREDIT_LIMIT: .*>= 0/);
    expect(text).to.match(/SHIPPING_FAILURE_RATE: .*from 0 to 1/);
    expect(text).to.match(/PARTICIPANT_MAX_TRIES/);
    expect(text).to.match(/SHIPPING_DELAY: .*not a duration/);
    expect(problems).to.have.length(8);
  });

  it('checks the consumer timings against each other and the claim lease', () => {
    const problems = problemsOf(() =>
      loadParticipantConfig('inventory', {
        ...minimal,
        KAFKA_SESSION_TIMEOUT: '6s',
        KAFKA_HEARTBEAT_INTERVAL: '6s',
        PARTICIPANT_CLAIM_LEASE: '50ms',
      }),
    );
    expect(problems).to.deep.equal([
      'KAFKA_HEARTBEAT_INTERVAL must be more than 0 and below KAFKA_SESSION_TIMEOUT',
      'PARTICIPANT_CLAIM_LEASE must be >= 100ms',
    ]);
  });

  it('lists every participant variable once, sharing the orchestrator’s names and validators', () => {
    expect(new Set(PARTICIPANT_ENV_NAMES).size).to.equal(PARTICIPANT_ENV_NAMES.length);
    expect(PARTICIPANT_ENV_NAMES).to.include.members([
      ...Object.keys(connectionEnvSpec),
      ...Object.keys(participantEnvSpec),
    ]);
    // The same meaning has the same name (and validator) in both processes.
    for (const name of [
      'SAGA_TOPIC_PARTITIONS',
      'SAGA_TOPIC_REPLICATION_FACTOR',
      'KAFKA_SESSION_TIMEOUT',
      'KAFKA_HEARTBEAT_INTERVAL',
      'KAFKA_MAX_WAIT',
    ] as const) {
      expect(participantEnvSpec[name]).to.equal(orchestratorEnvSpec[name]);
    }
    const shared = PARTICIPANT_ENV_NAMES.filter((n) =>
      (ORCHESTRATOR_ENV_NAMES as string[]).includes(n),
    );
    expect(shared).to.include.members(['LOG_LEVEL', 'SAGA_TOPIC_PREFIX', 'SAGA_CREATE_TOPICS']);
    // The participant's former names are gone.
    for (const old of ['KAFKA_TOPIC_PARTITIONS', 'PARTICIPANT_LOG_LEVEL', 'SHIPPING_DELAY_MS']) {
      expect(PARTICIPANT_ENV_NAMES).to.not.include(old);
    }
  });
});
