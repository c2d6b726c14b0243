/**
 * Tests wait for conditions, not for time: lint rejects a bare sleep (a `setTimeout`, a
 * `setInterval`, the `timers/promises` module) in a test file, and points at
 * test/support/eventually.ts, where the waits live.
 */
import { expect } from 'chai';
import type { Linter } from 'eslint';
import { lintProbe } from './lint-probe.js';

const sleeps = (messages: Linter.LintMessage[]) =>
  messages.filter((m) => m.ruleId === 'no-restricted-syntax');

describe('lint: no bare sleeps in tests', function () {
  this.timeout(60_000);

  it('rejects a bare sleep, a setInterval poll and timers/promises in a test file', async () => {
    const messages = await lintProbe(
      'test/integration',
      [
        "import { setTimeout as wait } from 'node:timers/promises';",
        'export async function sleepy(): Promise<void> {',
        '  await new Promise((resolve) => setTimeout(resolve, 50));',
        '  await wait(50);',
        '  clearInterval(globalThis.setInterval(() => undefined, 10));',
        '}',
        '',
      ].join('\n'),
    );
    const found = sleeps(messages);
    expect(
      found.map((m) => m.line),
      JSON.stringify(messages),
    ).to.deep.equal([1, 3, 5]);
    for (const message of found) expect(message.message).to.contain('test/support/eventually.ts');
  });

  it('accepts waiting through test/support/eventually.ts', async () => {
    const messages = await lintProbe(
      'test/integration',
      [
        "import { until } from '../support/eventually.js';",
        'export const ready = (flag: { up: boolean }) => until("it is up", () => flag.up);',
        '',
      ].join('\n'),
    );
    expect(sleeps(messages), JSON.stringify(messages)).to.deep.equal([]);
  });

  it('leaves test/support alone: the wait helpers themselves need a timer', async () => {
    const messages = await lintProbe(
      'test/support',
      'export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));\n',
    );
    expect(sleeps(messages), JSON.stringify(messages)).to.deep.equal([]);
  });
});
