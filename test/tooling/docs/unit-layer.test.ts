/**
 * The README says `test/unit` needs no Kafka broker or Redis server. The integration layer reaches
 * them only through `test/support/infra.ts` and `test/support/system.ts`; a unit test that imports
 * either belongs in `test/integration` (or the README is wrong).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const UNIT = path.join(ROOT, 'test', 'unit');

/** Import specifiers of the helpers that connect to the shared Kafka and Redis. */
const INFRA_IMPORT = /from\s+['"][./]*support\/(infra|system)(\.js)?['"]/;

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('docs: test/unit needs no Kafka broker or Redis server, as the README says', () => {
  it('no file under test/unit imports the infrastructure helpers', () => {
    const files = typeScriptFiles(UNIT);
    expect(files.length).to.be.greaterThan(50);
    const offenders = files
      .filter((file) => INFRA_IMPORT.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(offenders, offenders.join('\n')).to.deep.equal([]);
  });

  it('recognises such an import', () => {
    expect(INFRA_IMPORT.test("import { useInfra } from '../../support/infra.js';")).to.equal(true);
    expect(INFRA_IMPORT.test("import { useSystem } from '../support/system.js';")).to.equal(true);
    expect(INFRA_IMPORT.test("import { eventually } from '../../support/eventually.js';")).to.equal(
      false,
    );
  });
});
