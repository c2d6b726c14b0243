/**
 * Version 2 of the order saga, for the tests of definition versions side by side and of
 * migrations: the same saga with its approval wait renamed `awaitingReview` (a shape change: its
 * state path, its deadline's timer id and its history lines differ from version 1), and the
 * migration that moves waiting version-1 sagas onto it.
 *
 * It is built from version 1's statechart config rather than copied, so the two cannot drift
 * apart anywhere but in the rename.
 */
import { createMachine, type AnyStateMachine } from 'xstate';
import {
  defineMigration,
  defineSaga,
  type SagaDefinition,
} from '../../orchestrator/engine/index.js';
import { orderInputSchema, type OrderInput } from '../../sagas/order/input.js';
import { createOrderMachine } from '../../sagas/order/machine.js';
import { compileOrderSagaOptions, type OrderSagaOptions } from '../../sagas/order/options.js';
import { orderSignals } from '../../sagas/order/signals.js';

/**
 * Where version-1 order sagas go in version 2: waiting for approval, parked, or backing off
 * before a step's next attempt. A saga in a step's attempt (its command in flight) is not listed
 * on purpose: it cannot move until it waits (migrate-saga.ts).
 */
export const orderMigrationV1ToV2 = defineMigration({
  type: 'order',
  from: '1',
  to: '2',
  description: 'The approval wait is called awaitingReview',
  states: {
    awaitingApproval: 'awaitingReview',
    parked: 'parked',
    'reserveInventory.retrying': 'reserveInventory.retrying',
    'authorizePayment.retrying': 'authorizePayment.retrying',
    'confirmOrder.retrying': 'confirmOrder.retrying',
  },
});

type StateConfigs = Record<string, Record<string, unknown>>;

function renamedApprovalMachine(v1: AnyStateMachine): AnyStateMachine {
  const states: StateConfigs = {};
  for (const [name, config] of Object.entries(v1.config.states as StateConfigs)) {
    if (name === 'awaitingApproval') states.awaitingReview = config;
    else if (name === 'authorizePayment') {
      states[name] = {
        ...config,
        onDone: [{ guard: 'needsApproval', target: 'awaitingReview' }, { target: 'confirmOrder' }],
      };
    } else states[name] = config;
  }
  return createMachine(
    { ...v1.config, states },
    // XState types a machine's implementations more loosely than createMachine takes them.
    v1.implementations as unknown as Parameters<typeof createMachine>[1],
  );
}

/** Order saga version 2 with these timings (the options of version 1). */
export function createOrderSagaV2(options: OrderSagaOptions = {}): SagaDefinition<OrderInput> {
  return defineSaga<OrderInput>({
    type: 'order',
    version: '2',
    description: 'The order saga; the approval wait is called awaitingReview.',
    machine: renamedApprovalMachine(createOrderMachine(compileOrderSagaOptions(options))),
    input: { schema: orderInputSchema },
    signals: orderSignals,
    migrations: [orderMigrationV1ToV2],
  });
}
