import { expect } from 'chai';
import {
  BusinessError,
  compileParticipantOptions,
  defineParticipant,
  RetryableError,
} from '../../../participants/sdk/index.js';
import { describeHandlerError } from '../../../participants/sdk/errors.js';
import { memoryLedger } from './support/memory-ledger.js';

const transport = {
  publisher: { publish: async () => {}, close: async () => {} },
  subscriber: () => {
    throw new Error('unused');
  },
};

describe('participant SDK: declaration and options', () => {
  it('refuses a name that cannot be a topic, and a participant without handlers', () => {
    expect(() =>
      defineParticipant({ name: 'in ventory', handlers: { A: async () => {} } }),
    ).to.throw(/may only hold letters/);
    expect(() => defineParticipant({ name: 'inventory', handlers: {} })).to.throw(/no handlers/);
  });

  it('fills defaults: topic, group, 7-day ledger TTL, 3 tries', () => {
    const definition = defineParticipant({ name: 'inventory', handlers: { A: async () => {} } });
    const options = compileParticipantOptions(definition, { transport, ledger: memoryLedger() });
    expect(options.commandTopic).to.equal('saga.inventory.commands');
    expect(options.groupId).to.equal('saga.inventory');
    expect(options.topics.dlq).to.equal('saga.dlq');
    expect(options.ledgerTtlMs).to.equal(7 * 24 * 3600 * 1000);
    expect(options.retry.maxTries).to.equal(3);
  });

  it('names the bad option at start-up', () => {
    const definition = defineParticipant({ name: 'inventory', handlers: { A: async () => {} } });
    expect(() => compileParticipantOptions(definition, { transport })).to.throw(
      /give either `redis` or `ledger`/,
    );
    expect(() =>
      compileParticipantOptions(definition, {
        transport,
        ledger: memoryLedger(),
        retry: { maxTries: 0 },
      }),
    ).to.throw(/retry.maxTries must be a positive integer/);
  });

  it('maps errors to reply errors: business is terminal, the rest retryable', () => {
    expect(describeHandlerError(new BusinessError('DECLINED', 'no'))).to.deep.equal({
      code: 'DECLINED',
      message: 'no',
      retryable: false,
    });
    expect(describeHandlerError(new RetryableError('BUSY', 'later'))).to.deep.equal({
      code: 'BUSY',
      message: 'later',
      retryable: true,
    });
    expect(describeHandlerError('a string')).to.deep.equal({
      code: 'HANDLER_ERROR',
      message: 'a string',
      retryable: true,
    });
    expect(describeHandlerError(new Error('x'.repeat(3000))).message).to.have.length(2000);
  });
});
