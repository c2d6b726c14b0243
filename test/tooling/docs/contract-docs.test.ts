/**
 * docs/wire-contract.md's order saga tables are generated from the saga's schemas: the committed
 * doc is what `npm run docs:contract` would write, and the generated region follows the schemas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  BEGIN_MARKER,
  END_MARKER,
  expectedWireContractDoc,
  replaceMarkedRegion,
  shapeOf,
  WIRE_CONTRACT_DOC,
} from '../../../scripts/generate-contract-docs.js';
import { reserveItemsContract } from '../../../sagas/order/contracts.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const committed = readFileSync(path.join(ROOT, WIRE_CONTRACT_DOC), 'utf8');

describe('docs: the wire contract’s command tables are generated from the schemas', () => {
  it('the committed docs/wire-contract.md is what npm run docs:contract writes', async () => {
    const expected = await expectedWireContractDoc(ROOT, committed);
    expect(
      committed === expected,
      `${WIRE_CONTRACT_DOC} differs from the order saga's schemas: run npm run docs:contract`,
    ).to.equal(true);
  });

  it('notices a hand edit inside the generated region', async () => {
    const edited = committed.replace('`{ orderId, customerId, items }`', '`{ orderId, items }`');
    expect(edited).to.not.equal(committed);
    expect(await expectedWireContractDoc(ROOT, edited)).to.equal(committed);
  });

  it('lists every field of a payload, marking the ones that may be absent', () => {
    expect(shapeOf(reserveItemsContract.payloadSchema)).to.equal(
      '`{ orderId, customerId, items }`',
    );
    expect(shapeOf(reserveItemsContract.replySchema)).to.equal('`{ reservationId? }`');
    expect(committed).to.include('| `inventory` | `ReserveItems`      | step `reserveInventory`');
  });

  it('keeps the text outside the markers, and refuses a doc without them', () => {
    const doc = `before\n${BEGIN_MARKER}\nold\n${END_MARKER}\nafter\n`;
    expect(replaceMarkedRegion(doc, 'new')).to.equal(
      `before\n${BEGIN_MARKER}\n\nnew\n\n${END_MARKER}\nafter\n`,
    );
    expect(() => replaceMarkedRegion('no markers', 'new')).to.throw(/has no region/);
  });
});
