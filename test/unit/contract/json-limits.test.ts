import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_JSON_LIMITS,
  DLQ_ERROR_CODES,
  nestsDeeperThan,
  parseCommand,
  parseReply,
  parseStartRequest,
  replyHeadersProblem,
} from '../../../wire/contract/index.js';

/** `{"a":{"a":…1…}}`, `levels` objects deep. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, '../../../wire/contract/fixtures/v1', name),
      'utf8',
    ),
  ) as Record<string, unknown>;

describe('wire contract: size and depth limits of the parse step', () => {
  it('counts depth in objects and arrays, the value itself being level 1', () => {
    expect(nestsDeeperThan(JSON.parse(nested(3)), 3)).to.equal(false);
    expect(nestsDeeperThan(JSON.parse(nested(4)), 3)).to.equal(true);
    expect(nestsDeeperThan({ a: [1, [2, 'x', null]] }, 3)).to.equal(false);
    expect(nestsDeeperThan({ a: [1, [2, {}]] }, 3)).to.equal(true);
    expect(nestsDeeperThan('scalar', 0)).to.equal(false);
  });

  it('walks 1,000,000 levels without overflowing the stack (no recursion)', () => {
    const deep = JSON.parse(deepArray(1_000_000)) as unknown;
    expect(nestsDeeperThan(deep, 64)).to.equal(true);
    expect(nestsDeeperThan(deep, 1_000_000)).to.equal(false);
  });

  it('dead-letters a start request whose input is nested 10,000 levels deep, naming the limit', () => {
    const request = `{"type":"order","input":${nested(10_000)}}`;
    const parsed = parseStartRequest(request);
    expect(parsed).to.deep.equal({
      ok: false,
      code: DLQ_ERROR_CODES.limitExceeded,
      reason: 'start request: nested deeper than the limit of 64 levels (maxDepth)',
    });
  });

  it('accepts exactly the default depth and refuses one more', () => {
    // The request is level 1, input level 2: input's own nesting may go 63 levels.
    const at = (levels: number) => `{"type":"order","input":${nested(levels)}}`;
    expect(parseStartRequest(at(DEFAULT_JSON_LIMITS.maxDepth - 1)).ok).to.equal(true);
    expect(parseStartRequest(at(DEFAULT_JSON_LIMITS.maxDepth))).to.include({
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('refuses a message over the byte limit before parsing it', () => {
    const big = Buffer.alloc(DEFAULT_JSON_LIMITS.maxBytes + 1, ' ');
    expect(parseReply(big)).to.deep.equal({
      ok: false,
      code: 'LIMIT_EXCEEDED',
      reason: `reply: ${DEFAULT_JSON_LIMITS.maxBytes + 1} bytes, over the limit of 1048576 bytes (maxBytes)`,
    });
  });

  it('takes other limits as options of the parse step', () => {
    const command = JSON.stringify(fixture('command.json'));
    expect(parseCommand(command).ok).to.equal(true);
    expect(parseCommand(command, { maxBytes: 10 })).to.include({ code: 'LIMIT_EXCEEDED' });
    expect(parseCommand(command, { maxDepth: 1 })).to.include({
      code: 'LIMIT_EXCEEDED',
      reason: 'command: nested deeper than the limit of 1 levels (maxDepth)',
    });
  });

  it('finds a reply whose saga-id header names another saga than its value', () => {
    const reply = { sagaId: 'order-1' };
    expect(replyHeadersProblem({}, reply)).to.equal(undefined);
    expect(replyHeadersProblem({ 'saga-id': 'order-1' }, reply)).to.equal(undefined);
    expect(replyHeadersProblem({ 'saga-id': 'order-2' }, reply)).to.equal(
      'reply: header saga-id "order-2" disagrees with sagaId "order-1"',
    );
  });
});
