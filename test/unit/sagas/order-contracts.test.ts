/**
 * The order saga's command contracts hold on every path: along every path generated from its
 * graph, with each step succeeding, refused or out of deadlines, every command the engine sends
 * matches its step's schema (the engine throws otherwise) and the example participants' own
 * payload schemas; the replies the example participants send match the saga's reply schemas.
 */
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  stepPaths,
  simulateSaga,
  type SagaSimulation,
} from '../../../orchestrator/engine/testing/index.js';
import type { CommandEffect } from '../../../orchestrator/engine/index.js';
import {
  authorizePaymentSchema,
  cancelShipmentSchema,
  confirmOrderSchema,
  releaseItemsSchema,
  reservationIdOf,
  reserveItemsSchema,
  voidAuthorizationSchema,
  type AuthorizePaymentResult,
  type CancelShipmentResult,
  type ConfirmOrderResult,
  type ReleaseItemsResult,
  type ReserveItemsResult,
  type VoidAuthorizationResult,
} from '../../../participants/examples/index.js';
import orderSaga from '../../../sagas/order/index.js';
import { largeOrder, smallOrder } from './order-fixtures.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const participantSchemas: Record<string, object> = {
  'inventory.ReserveItems': reserveItemsSchema,
  'inventory.ReleaseItems': releaseItemsSchema,
  'payment.AuthorizePayment': authorizePaymentSchema,
  'payment.VoidAuthorization': voidAuthorizationSchema,
  'shipping.ConfirmOrder': confirmOrderSchema,
  'shipping.CancelShipment': cancelShipmentSchema,
};

/** What the example participants answer (their result types), per step. */
const reserved: ReserveItemsResult = { reservationId: reservationIdOf(smallOrder.orderId) };
const authorized: AuthorizePaymentResult = { authorizationId: `auth-${smallOrder.orderId}` };
const confirmed: ConfirmOrderResult = { shipmentId: `shp-${smallOrder.orderId}` };
const replies: Record<string, Record<string, unknown>> = {
  reserveInventory: reserved,
  authorizePayment: authorized,
  confirmOrder: confirmed,
};
const released: ReleaseItemsResult = { released: true, reservationId: reserved.reservationId };
const voided: VoidAuthorizationResult = {
  voided: true,
  authorizationId: authorized.authorizationId,
};
const cancelled: CancelShipmentResult = { cancelled: true, shipmentId: confirmed.shipmentId };
const compensationReplies: Record<string, Record<string, unknown>> = {
  reserveInventory: released,
  authorizePayment: voided,
  confirmOrder: cancelled,
};

type Ending = 'succeeds' | 'is refused' | 'runs out of deadlines';

function runToEnd(sim: SagaSimulation, step: string, ending: Ending): void {
  if (ending === 'succeeds') sim.succeed(step, replies[step]);
  else if (ending === 'is refused') sim.fail(step, { code: 'REFUSED' });
  else {
    // Deadlines and retry back-offs until the step gives up and its compensation is in flight.
    while (!sim.pending.some((c) => c.kind === 'compensation')) sim.advanceToNextTimer();
  }
  for (let guard = 0; sim.status === 'running' && guard < 20; guard += 1) {
    const next = sim.pending[0];
    if (!next) sim.signal({ type: 'order.approve' });
    else if (next.kind === 'compensation') {
      sim.succeedCompensation(compensationReplies[next.step]);
    } else sim.succeed(next.step, replies[next.step]);
  }
}

describe('order saga contracts: every command on every path matches its schemas', () => {
  const sent: CommandEffect[] = [];
  const endings: Ending[] = ['succeeds', 'is refused', 'runs out of deadlines'];

  for (const [label, input] of [
    ['a small order', smallOrder],
    ['a large order', largeOrder],
  ] as const) {
    for (const path of stepPaths(orderSaga, input, {
      signals: [{ type: 'order.approve' }],
      replyPayload: (step) => replies[step] as never,
    })) {
      for (const ending of endings) {
        it(`${label}: ${path.step} ${ending} after ${path.description}`, () => {
          const sim = simulateSaga(orderSaga, input);
          path.replay(sim);
          runToEnd(sim, path.step, ending);
          expect(sim.status).to.be.oneOf(['completed', 'compensated']);
          sent.push(...sim.commands());
        });
      }
    }
  }

  it('sent every command of the saga, and each payload passes the example participant’s schema', () => {
    const kinds = new Set(sent.map((c) => `${c.participant}.${c.command}`));
    expect([...kinds].sort()).to.deep.equal(Object.keys(participantSchemas).sort());
    for (const command of sent) {
      const name = `${command.participant}.${command.command}`;
      const validate = ajv.compile(participantSchemas[name] ?? {});
      expect(validate(command.payload), `${name}: ${ajv.errorsText(validate.errors)}`).to.equal(
        true,
      );
    }
  });

  it('refuses a reply an example participant would never send (a number as reservationId)', () => {
    const sim = simulateSaga(orderSaga, smallOrder);
    expect(() => sim.succeed('reserveInventory', { reservationId: 42 })).to.throw(
      /reserveInventory: the success reply to inventory\.ReserveItems does not match its replySchema: \/reservationId must be string/,
    );
  });
});
