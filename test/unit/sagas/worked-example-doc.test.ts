/**
 * sagas/README.md's worked example is the trip shape of the conformance suite, word for word, so
 * the code a reader copies is the code the suite runs through the service.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('sagas/README.md: the worked example', () => {
  it('shows the trip shape exactly as test/support/shapes/trip/index.ts has it', () => {
    const readme = read('sagas/README.md');
    const section = readme.slice(readme.indexOf('## A worked example: the trip'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block, 'a ts code block in the worked example').to.be.a('string');
    expect(block).to.include('kit.deadline(');
    expect(read('test/support/shapes/trip/index.ts')).to.include(block);
  });
});
