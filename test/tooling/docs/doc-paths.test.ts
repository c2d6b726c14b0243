/**
 * Every repository path the docs name exists: a file moved or deleted must take the docs that
 * point at it along (see doc-paths.ts for what counts as a named path).
 */
import path from 'node:path';
import { expect } from 'chai';
import {
  markdownFiles,
  missingDocPaths,
  pathExists,
  pathsNamedIn,
  topLevelNames,
} from './doc-paths.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

describe('docs: every repository path they name exists', () => {
  it('reads the docs people start from', () => {
    const docs = markdownFiles(ROOT);
    for (const doc of [
      'README.md',
      'docs/design.md',
      'sagas/README.md',
      'participants/README.md',
    ]) {
      expect(docs).to.include(doc);
    }
    expect(docs.filter((doc) => doc.startsWith('bench/results/'))).to.deep.equal([]);
  });

  it('no doc names a path that is not in the checkout', () => {
    const missing = missingDocPaths(ROOT).map(
      (named) => `${named.doc}:${named.line} names ${named.written} (${named.resolved})`,
    );
    expect(missing, missing.join('\n')).to.deep.equal([]);
  });

  it('finds a missing path in a link (relative to the doc) and in inline code (relative to the root)', () => {
    const topLevel = topLevelNames(ROOT);
    const text = [
      'See [the store](../orchestrator/store/no-such-file.ts) and `orchestrator/engine/gone.ts`.',
      'Kept: [design](design.md), `orchestrator/engine/index.ts`, [site](https://example.com/x.md).',
      'Not paths: `inventory/payment` prose, `sagas/<name>/index.ts`, `dashboards/generated/*.json`.',
      '```sh',
      'cat orchestrator/nowhere.ts `orchestrator/nowhere.ts`',
      '```',
    ].join('\n');
    const named = pathsNamedIn('docs/probe.md', text, topLevel);
    expect(named.map((entry) => entry.resolved)).to.deep.equal([
      'orchestrator/store/no-such-file.ts',
      'orchestrator/engine/gone.ts',
      'docs/design.md',
      'orchestrator/engine/index.ts',
    ]);
    expect(named.filter((entry) => !pathExists(ROOT, entry.resolved))).to.have.length(2);
  });
});
