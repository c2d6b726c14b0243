/**
 * The runtime: an orchestrator instance (consumers, saga event applier, outbox relay, timer poller,
 * shard ownership) assembled by `createOrchestrator`, and the loading of saga definitions.
 */
export { createOrchestrator, Orchestrator, type SagaView } from './orchestrator.js';
export type { OrchestratorOptions, OrchestratorTuning } from './orchestrator-options.js';
export type { Readiness } from './readiness.js';
export {
  DEFAULT_AUDIT,
  type PauseOutcome,
  type SignalInvalid,
  type SignalOutcome,
} from './operator-actions.js';
export {
  DEADLINE_TO_SESSION_FACTOR,
  deadlinesTooShortForSession,
  type ShortDeadline,
} from './deadline-fit.js';
export {
  DEFAULT_MIGRATION_LIMIT,
  type MigrationRefused,
  type MigrationReport,
  type MigrationRequest,
} from './definition-migration.js';
export {
  BUILT_IN_SAGAS_DIR,
  DefinitionLoadError,
  loadDefinitionsFromDir,
  mergeDefinitions,
  selectDefinitions,
} from './load-definitions.js';
