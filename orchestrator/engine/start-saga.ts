/**
 * Starting a saga: check the input, take XState's initial transition, turn it into version 1.
 */
import { startedEntry } from './history.js';
import { sagaStarted } from './lifecycle.js';
import { pureInitialTransition } from './pure-transition.js';
import { toAppliedStep } from './settle.js';
import { asJson } from './json-text.js';
import { stateOf } from './snapshot.js';
import type { SagaDefinition, StartOptions, StartResult } from './types.js';

export function startSaga(definition: SagaDefinition, options: StartOptions): StartResult {
  const check = definition.checkInput(options.input);
  if (!check.ok) {
    return {
      outcome: 'rejected',
      code: 'INVALID_INPUT',
      message: `invalid input for ${definition.type}: ${check.errors.join('; ')}`,
      errors: check.errors,
    };
  }
  const [snapshot, actions] = pureInitialTransition(definition.machine, {
    sagaId: options.sagaId,
    // Plain JSON is kept as it is (the caller's parsed message), anything else copied through JSON.
    input: asJson(check.value),
  });
  const result = toAppliedStep({
    definition,
    sagaId: options.sagaId,
    now: options.now,
    previous: null,
    snapshot,
    actions,
    consumed: new Set(),
    timers: [],
    fromInput: { effects: [sagaStarted(definition.type, definition.version)], history: [] },
    ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.trace !== undefined ? { trace: options.trace } : {}),
  });
  result.history.unshift(
    startedEntry(options.now, definition.type, definition.version, stateOf(snapshot)),
  );
  return result;
}
