import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import {
  compileKafkaOptions,
  createKafkaClient,
  isCompiledKafkaOptions,
  KafkaOptionsError,
  type KafkaOptions,
} from '../../../wire/kafka/options.js';
import { createLogger } from '../../../wire/telemetry/logger.js';

const base: KafkaOptions = { brokers: ['127.0.0.1:9092'] };
const compileError = (options: KafkaOptions): string => {
  try {
    compileKafkaOptions(options);
  } catch (error) {
    expect(error).to.be.instanceOf(KafkaOptionsError);
    return (error as Error).message;
  }
  throw new Error('expected the options to be refused');
};

describe('transport: Kafka options', () => {
  it('fills the documented defaults', () => {
    const compiled = compileKafkaOptions(base);
    expect(isCompiledKafkaOptions(compiled)).to.equal(true);
    expect(compiled.clientId).to.equal('saga-orchestrator');
    expect(compiled.kafkaConfig).to.include({
      clientId: 'saga-orchestrator',
      connectionTimeout: 10_000,
      requestTimeout: 30_000,
      logLevel: logLevel.WARN,
    });
    expect(compiled.kafkaConfig.retry).to.deep.equal({ initialRetryTime: 300, retries: 5 });
    expect(compiled.kafkaConfig.ssl).to.equal(undefined);
    expect(compiled.kafkaConfig.sasl).to.equal(undefined);
  });

  it('accepts host names, IPv4 and bracketed IPv6 brokers, trimmed', () => {
    const compiled = compileKafkaOptions({
      brokers: [' kafka-0.kafka:9093', '10.0.0.1:9092', '[::1]:19092'],
    });
    expect(compiled.brokers).to.deep.equal(['kafka-0.kafka:9093', '10.0.0.1:9092', '[::1]:19092']);
  });

  it('names the option that is wrong', () => {
    expect(compileError({ brokers: [] })).to.match(/brokers must list at least one/);
    expect(compileError({ brokers: ['localhost'] })).to.match(
      /broker "localhost" is not "host:port"/,
    );
    expect(compileError({ brokers: ['h:70000'] })).to.match(/port from 1 to 65535/);
    expect(compileError({ ...base, clientId: ' ' })).to.match(/clientId/);
    expect(compileError({ ...base, requestTimeoutMs: 0 })).to.match(/requestTimeoutMs/);
    expect(compileError({ ...base, retries: -1 })).to.match(/retries/);
    expect(compileError({ ...base, logLevel: 'loud' as never })).to.match(/logLevel "loud"/);
    expect(
      compileError({
        ...base,
        sasl: { mechanism: 'gssapi' as never, username: 'u', password: 'p' },
      }),
    ).to.match(/sasl.mechanism "gssapi"/);
    expect(
      compileError({ ...base, sasl: { mechanism: 'plain', username: '', password: 'p' } }),
    ).to.match(/sasl.username/);
    expect(compileError({ ...base, tls: { certFile: '/x' } })).to.match(/certFile and tls.keyFile/);
    expect(compileError({ ...base, tls: { caFile: '/nonexistent/ca.pem' } })).to.match(
      /tls.caFile "\/nonexistent\/ca.pem" cannot be read/,
    );
  });

  it('passes SASL through for each mechanism', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const compiled = compileKafkaOptions({
        ...base,
        sasl: { mechanism, username: 'svc', password: 'secret' },
      });
      expect(compiled.kafkaConfig.sasl).to.deep.equal({
        mechanism,
        username: 'svc',
        password: 'secret',
      });
    }
  });

  it('uses the system CAs for tls: true and reads CA, certificate and key files otherwise', () => {
    expect(compileKafkaOptions({ ...base, tls: true }).kafkaConfig.ssl).to.equal(true);
    const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    const compiled = compileKafkaOptions({
      ...base,
      tls: {
        caFile: file('ca.pem', 'CA'),
        certFile: file('cert.pem', 'CERT'),
        keyFile: file('key.pem', 'KEY'),
        servername: 'kafka.internal',
      },
    });
    const ssl = compiled.kafkaConfig.ssl as Record<string, unknown>;
    expect((ssl.ca as Buffer[]).map(String)).to.deep.equal(['CA']);
    expect(String(ssl.cert)).to.equal('CERT');
    expect(String(ssl.key)).to.equal('KEY');
    expect(ssl.rejectUnauthorized).to.equal(true);
    expect(ssl.servername).to.equal('kafka.internal');
  });

  it("routes kafkajs' log lines to the project logger at the chosen level", () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('app', {
      level: 'debug',
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const kafka = createKafkaClient({ ...base, logger, logLevel: 'info' });
    kafka.logger().info('hello from kafkajs', { broker: 'b1' });
    kafka.logger().debug('filtered by kafkajs level');
    kafka
      .logger()
      .warn('Limiting retries for the idempotent producer may invalidate EoS guarantees');
    expect(lines.map((l) => [l.level, l.ns, l.msg])).to.deep.equal([
      ['info', 'app.kafkajs', 'hello from kafkajs'],
      // The publisher limits retries on purpose; this warning is demoted.
      [
        'debug',
        'app.kafkajs',
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ],
    ]);
    expect(lines[0]).to.include({ broker: 'b1' });
  });

  it('logs the conditions kafkajs retries (no leader yet, coordinator loading…) at debug, real errors at error', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('app', {
      level: 'debug',
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const kafka = createKafkaClient({ ...base, logger, logLevel: 'debug' });
    // As kafkajs' Connection logs a failed response: the protocol error's text in `error`.
    kafka.logger().error('Response Metadata(key: 3, version: 6)', {
      error:
        'There is no leader for this topic-partition as we are in the middle of a leadership election',
    });
    kafka.logger().error('Response FindCoordinator(key: 10, version: 2)', {
      error: "The coordinator is loading and hence can't process requests for this group",
    });
    kafka.logger().error('Response JoinGroup(key: 11, version: 5)', {
      error: 'The group is rebalancing, so a rejoin is needed',
    });
    kafka.logger().error('This server does not host this topic-partition', { retryCount: 1 });
    kafka.logger().error('Response Produce(key: 0, version: 7)', {
      error:
        'The request included a message larger than the max message size the server will accept',
    });
    kafka.logger().error('Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is not available');
    expect(lines.map((l) => l.level)).to.deep.equal([
      'debug',
      'debug',
      'debug',
      'debug',
      'error',
      'error',
    ]);
  });
});
