/**
 * The AsyncAPI 3.0 document of the wire contract: valid for `@asyncapi/parser` (offline), one
 * channel per topic, and message schemas that accept the messages the orchestrator really sends
 * (built by the engine and the runtime's own message builder) and refuse a payload that breaks its
 * step's schema.
 */
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { buildAsyncApiDocument } from '../../../orchestrator/api/asyncapi/document.js';
import { describeDefinition } from '../../../orchestrator/engine/index.js';
import { simulateSaga } from '../../../orchestrator/engine/testing/index.js';
import { commandMessage } from '../../../orchestrator/runtime/outgoing-messages.js';
import { HEADERS } from '../../../wire/contract/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { smallOrder } from '../sagas/order-fixtures.js';
import { apiClient } from '../../support/api-client.js';
import { serveForTests, testApp } from './support.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

describe('AsyncAPI document of the wire contract', function () {
  // The parser compiles the AsyncAPI specification's schemas on first use (~3 s on a busy machine).
  this.timeout(30_000);
  const document = buildAsyncApiDocument({
    definitions: [describeDefinition(orderSaga)],
    topicPrefix: 'shop',
    version: '0.1.0',
  });

  it('is a valid AsyncAPI 3.0 document for @asyncapi/parser (no error, no warning)', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const problems = diagnostics
      .filter((d) => [DiagnosticSeverity.Error, DiagnosticSeverity.Warning].includes(d.severity))
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
    expect(problems).to.deep.equal([]);
    expect(parsed?.version()).to.equal('3.0.0');
    expect(parsed?.operations().all().length).to.equal(7);
  });

  it('has a channel for every topic of the wire contract, under the prefix', () => {
    const addresses = Object.values(document.channels).map((c) => c.address);
    expect(addresses).to.have.members([
      'shop.inventory.commands',
      'shop.payment.commands',
      'shop.shipping.commands',
      'shop.replies',
      'shop.requests',
      'shop.events',
      'shop.dlq',
    ]);
    expect(Object.keys(document.channels.inventoryCommands?.messages as object)).to.deep.equal([
      'order.reserveInventory.command',
      'order.reserveInventory.compensation',
    ]);
    expect(Object.keys(document.channels.replies?.messages as object)).to.have.length(6);
  });

  it('says who sends and who receives each topic', () => {
    const actions = Object.fromEntries(
      Object.entries(document.operations).map(([id, op]) => [id, op.action]),
    );
    expect(actions).to.deep.equal({
      sendInventoryCommands: 'send',
      sendPaymentCommands: 'send',
      sendShippingCommands: 'send',
      receiveReplies: 'receive',
      receiveStartRequests: 'receive',
      sendLifecycleEvents: 'send',
      sendDeadLetters: 'send',
    });
  });

  it('documents the headers of the contract, the DLQ ones on dead letters', () => {
    const schemas = document.components.schemas;
    const names = (schema: string) => Object.keys(schemas[schema]?.properties ?? {});
    expect(names('commandHeaders')).to.include.members([
      HEADERS.traceparent,
      HEADERS.sagaId,
      HEADERS.commandId,
      HEADERS.messageType,
    ]);
    expect(names('deadLetterHeaders')).to.include.members([
      HEADERS.dlqReason,
      HEADERS.dlqErrorCode,
      HEADERS.dlqSourceTopic,
    ]);
  });

  describe('message schemas accept what is sent and refuse what breaks a step’s schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, 'asyncapi');
    const payloadOf = (message: string) =>
      ajv.compile({ $ref: `asyncapi#/components/messages/${message}/payload` });
    const sim = simulateSaga(orderSaga, smallOrder);
    sim.succeed('reserveInventory', { reservationId: 'rsv-1' });
    const [reserve, authorize] = sim.commands().map((c) => commandMessage(c, 'shop.replies'));

    it('a command as the runtime builds it', () => {
      const validate = payloadOf('order.reserveInventory.command');
      expect(validate(reserve), ajv.errorsText(validate.errors)).to.equal(true);
      expect(payloadOf('order.authorizePayment.command')(authorize)).to.equal(true);
    });

    it('but not with another command type, or a payload that misses a required field', () => {
      const validate = payloadOf('order.reserveInventory.command');
      expect(validate(authorize)).to.equal(false);
      const { customerId: _dropped, ...payload } = reserve?.payload ?? {};
      expect(validate({ ...reserve, payload })).to.equal(false);
    });

    it('a reply: success data against the step’s reply schema, a failure with its error', () => {
      const validate = payloadOf('order.reserveInventory.reply');
      const reply = { commandId: 'c-1', sagaId: 's-1', type: 'ReserveItems', outcome: 'success' };
      expect(validate({ ...reply, payload: { reservationId: 'rsv-1' } })).to.equal(true);
      expect(validate({ ...reply, payload: { reservationId: 7 } })).to.equal(false);
      const failure = { code: 'OUT_OF_STOCK', message: 'none left', retryable: false };
      expect(validate({ ...reply, outcome: 'failure', error: failure })).to.equal(true);
      expect(validate({ ...reply, outcome: 'failure' })).to.equal(false);
    });
  });

  describe('GET /asyncapi.json', () => {
    const served = serveForTests(() => testApp({ apiToken: 'secret', version: '0.1.0' }));

    it('serves the document of the orchestrator’s definitions and prefix, without a token', async () => {
      const res = await apiClient(served.url()).get<typeof document>('/asyncapi.json', {
        token: null,
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.body).to.deep.equal(
        buildAsyncApiDocument({
          definitions: [describeDefinition(orderSaga)],
          topicPrefix: 'saga',
          version: '0.1.0',
        }),
      );
    });
  });
});
