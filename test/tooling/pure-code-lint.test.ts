/**
 * The rule that keeps I/O, the clock and randomness out of sagas/ and orchestrator/engine/ is
 * real: this lints probe files with the project's own ESLint configuration. The probes must be
 * real files inside the TypeScript project, so they are written next to the code and removed.
 */
import { expect } from 'chai';
import type { Linter } from 'eslint';
import { lintProbe } from './lint-probe.js';

const ruleIds = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId);

describe('lint: pure code cannot reach I/O', function () {
  this.timeout(60_000);

  it('rejects an ioredis import in sagas/', async () => {
    const messages = await lintProbe(
      'sagas',
      "import { Redis } from 'ioredis';\nexport const client = new Redis();\n",
    );
    const restricted = messages.filter((m) => m.ruleId === 'no-restricted-imports');
    expect(restricted, JSON.stringify(messages)).to.have.length(1);
    expect(restricted[0]?.message).to.match(/ioredis.*cannot do I\/O/);
  });

  it('rejects kafkajs, node built-ins, the clock and randomness in orchestrator/engine/', async () => {
    const messages = await lintProbe(
      'orchestrator/engine',
      [
        "import { Kafka } from 'kafkajs';",
        "import { readFileSync } from 'node:fs';",
        'export const k = Kafka;',
        'export const f = readFileSync;',
        'export const now = Date.now();',
        'export const today = new Date();',
        'export const roll = Math.random();',
        'export const later = () => setTimeout(() => undefined, 10);',
        '',
      ].join('\n'),
    );
    expect(ruleIds(messages)).to.include.members([
      'no-restricted-imports',
      'no-restricted-properties',
      'no-restricted-syntax',
      'no-restricted-globals',
    ]);
    expect(messages.filter((m) => m.ruleId === 'no-restricted-imports')).to.have.length(2);
    expect(messages.filter((m) => m.ruleId === 'no-restricted-properties')).to.have.length(2);
  });

  it('allows the same imports in the I/O rooms (orchestrator/store/)', async () => {
    const messages = await lintProbe(
      'orchestrator/store',
      "import { Redis } from 'ioredis';\nexport const client = (url: string) => new Redis(url);\n",
    );
    expect(ruleIds(messages)).to.not.include('no-restricted-imports');
  });
});
