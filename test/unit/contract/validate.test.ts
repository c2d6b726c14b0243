import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseCommand,
  parseLifecycleEvent,
  parseReply,
  parseStartRequest,
  topicNames,
} from '../../../wire/contract/index.js';

const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../wire/contract/fixtures/v1', name));

describe('wire contract v1', () => {
  it('accepts every published fixture', () => {
    expect(parseCommand(fixture('command.json')).ok).to.equal(true);
    expect(parseReply(fixture('reply-success.json')).ok).to.equal(true);
    expect(parseReply(fixture('reply-failure.json')).ok).to.equal(true);
    expect(parseStartRequest(fixture('request.json')).ok).to.equal(true);
    expect(parseLifecycleEvent(fixture('lifecycle-event.json')).ok).to.equal(true);
  });

  it('calls a value that is not JSON malformed', () => {
    const parsed = parseReply(Buffer.from('{"commandId": '));
    expect(parsed).to.include({ ok: false, code: 'MALFORMED' });
  });

  it('says which field is wrong when the shape is invalid', () => {
    const reply = JSON.parse(fixture('reply-failure.json').toString()) as Record<string, unknown>;
    delete reply.error;
    const parsed = parseReply(JSON.stringify(reply));
    expect(parsed.ok).to.equal(false);
    if (!parsed.ok) {
      expect(parsed.code).to.equal('SCHEMA_INVALID');
      expect(parsed.reason).to.contain('"error"');
    }
    const command = JSON.parse(fixture('command.json').toString()) as Record<string, unknown>;
    command.expiresAt = 'tomorrow';
    const badCommand = parseCommand(JSON.stringify(command));
    expect(badCommand.ok).to.equal(false);
    if (!badCommand.ok) expect(badCommand.reason).to.match(/\/expiresAt must match format/);
  });

  it('rejects unknown fields in a start request', () => {
    const parsed = parseStartRequest(JSON.stringify({ type: 'order', input: {}, extra: 1 }));
    expect(parsed.ok).to.equal(false);
    if (!parsed.ok) expect(parsed.reason).to.contain('unknown property "extra"');
  });

  it('names topics under the prefix and refuses unusable names', () => {
    const topics = topicNames('shop');
    expect(topics.commands('inventory')).to.equal('shop.inventory.commands');
    expect(topics.replies).to.equal('shop.replies');
    expect(topics.dlq).to.equal('shop.dlq');
    expect(() => topics.commands('in ventory')).to.throw(/not usable/);
    expect(() => topicNames('a/b')).to.throw(/prefix/);
  });
});
