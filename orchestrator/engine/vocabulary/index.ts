/**
 * The saga vocabulary: what a saga author uses to write a statechart the engine can run.
 * Start with `createSagaKit()`; see sagas/README.md.
 */
export * from './backoff.js';
export * from './command-params.js';
export * from './context.js';
export * from './contract.js';
export * from './deadline.js';
export * from './define-saga.js';
export * from './define-migration.js';
export * from './end-states.js';
export * from './events.js';
export * from './input-check.js';
export * from './introspect.js';
export * from './kit.js';
export * from './kit-setup.js';
export * from './names.js';
export * from './signal-contract.js';
export * from './step.js';
export { outcomeUnknown, attemptsInRun, type SagaUpdate } from './bookkeeping.js';
