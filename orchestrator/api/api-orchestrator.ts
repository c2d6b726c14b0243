/**
 * What the HTTP API needs from the orchestrator: its operations, the engine's definitions (to
 * tell what a saga's current state accepts) and its topic names (for the AsyncAPI document). `Orchestrator` from `runtime/orchestrator.ts` is one.
 */
import type { SagaEngine } from '../engine/index.js';
import type { Orchestrator } from '../runtime/index.js';
import type { SagaStore } from '../store/index.js';

export type ApiOrchestrator = Pick<
  Orchestrator,
  | 'startSaga'
  | 'getSaga'
  | 'listSagas'
  | 'waitForResult'
  | 'signal'
  | 'cancel'
  | 'retry'
  | 'pause'
  | 'resume'
  | 'definitions'
  | 'definition'
  | 'definitionVersions'
  | 'migrateSagas'
  | 'readiness'
  | 'topics'
> & {
  readonly engine: Pick<SagaEngine, 'definitionOf'>;
  /** The live counts (`GET /v1/sagas/counts`), from the store's counters. */
  readonly store: Pick<SagaStore, 'countsByTypeAndState'>;
};
