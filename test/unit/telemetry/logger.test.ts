import { expect } from 'chai';
import { createLogger, silentLogger, type LoggerOptions } from '../../../wire/telemetry/logger.js';

describe('telemetry: logger', () => {
  const capture = (options: Pick<LoggerOptions, 'level'> = {}) => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('saga', {
      ...options,
      now: () => new Date('2026-01-01T00:00:00Z'),
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    return { logger, lines };
  };

  it('writes one JSON line per call with time, level, namespace, message and fields', () => {
    const { logger, lines } = capture();
    logger.info('started', { port: 8080 });
    expect(lines).to.deep.equal([
      { time: '2026-01-01T00:00:00.000Z', level: 'info', ns: 'saga', msg: 'started', port: 8080 },
    ]);
  });

  it('drops lines below its level; silent drops all', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.level)).to.deep.equal(['warn', 'error']);
    silentLogger.error('nothing');
    expect(() => createLogger('x', { level: 'verbose' as never })).to.throw(/log level "verbose"/);
  });

  it('namespaces children and keeps the level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    const child = logger.child('transport').child('subscriber');
    expect(child.namespace).to.equal('saga.transport.subscriber');
    child.info('dropped');
    child.warn('kept');
    expect(lines.map((l) => l.ns)).to.deep.equal(['saga.transport.subscriber']);
  });

  it('never throws on awkward fields: errors, bigints, buffers, cycles, clashing keys', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.error('boom', {
      error: new Error('bad', { cause: new Error('root') }),
      big: 10n,
      bytes: Buffer.from('abc'),
      cyclic,
      msg: 'a field called msg',
    });
    const line = lines[0]!;
    expect(line.msg).to.equal('boom');
    expect(line['field.msg']).to.equal('a field called msg');
    expect(line.error).to.deep.include({ name: 'Error', message: 'bad' });
    expect((line.error as { cause: { message: string } }).cause.message).to.equal('root');
    expect(line.big).to.equal('10');
    expect(line.bytes).to.equal('<3 bytes>');
    expect(line.cyclic).to.deep.equal({ self: '[circular]' });
  });
});
