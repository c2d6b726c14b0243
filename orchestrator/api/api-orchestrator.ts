/**
 * What the HTTP API needs from the orchestrator: its operations, and the engine's definitions (to
 * tell what a saga's current state accepts). `Orchestrator` from `runtime/orchestrator.ts` is one.
 */
import type { SagaEngine } from '../engine/types.js';
import type { Orchestrator } from '../runtime/orchestrator.js';

export type ApiOrchestrator = Pick<
  Orchestrator,
  | 'startSaga'
  | 'getSaga'
  | 'listSagas'
  | 'waitForResult'
  | 'signal'
  | 'cancel'
  | 'retry'
  | 'definitions'
  | 'readiness'
> & { readonly engine: Pick<SagaEngine, 'definition'> };
