/**
 * The pure saga engine and the vocabulary saga definitions are written with. The runtime calls
 * `createEngine(definitions)`; saga authors use `createSagaKit()` and `defineSaga()`; tests use
 * `simulateSaga()` from `./testing/index.js`.
 */
export * from './types.js';
export { createEngine, type EngineOptions } from './create-engine.js';
export { migrateSaga, type MigrationRefusal, type MigrationResult } from './migrate-saga.js';
export { compareVersions } from './registry.js';
export { commandIdFor } from './command-id.js';
export { describeDefinition, type DefinitionDescription } from './describe-definition.js';
export { SagaEngineError, type SagaEngineErrorCode } from './errors.js';
export { SignalInvalidError, type SignalViolation } from './signals.js';
export { ENGINE_LIFECYCLE_EVENTS, STEP_LIFECYCLE_EVENTS } from './lifecycle.js';
export { restoreSnapshot, stateString } from './snapshot.js';
export { isEnded } from '../../wire/contract/index.js';
export { jsonTextOf } from './json-text.js';
export * from './vocabulary/index.js';
