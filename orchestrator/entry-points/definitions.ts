/**
 * `saga-orchestrator/definitions`: what a saga definition imports, and nothing of the runtime.
 * A definition written in its own repository imports only this entry point (and `xstate` for
 * XState's own helpers); the orchestrator that loads it through `SAGA_DEFINITIONS_DIR` hands it
 * the orchestrator's own copy of both (see sagas/README.md, "A definition in its own repository").
 *
 * @example
 * ```ts
 * import { createSagaKit, defineSaga } from 'saga-orchestrator/definitions';
 * const kit = createSagaKit<RefundInput>();
 * export default defineSaga<RefundInput>({ type: 'refund', version: '1', machine, input: { schema } });
 * ```
 */
export type {
  InputCheck,
  SagaDefinition,
  SagaStatus,
  SagaEngine,
  SagaRecord,
} from '../engine/index.js';
export type { JsonObject, ReplyError } from '../../wire/contract/index.js';
export {
  // Building a statechart
  createSagaKit,
  sagaSetup,
  sagaStep,
  sagaDeadline,
  sagaEndStates,
  sagaSignals,
  defineSaga,
  defineMigration,
  // Names the statechart and its tests refer to
  SAGA_SIGNALS,
  SAGA_STATE_IDS,
  SAGA_DEADLINE_CODE,
  sagaDeadlineEventType,
  COMPENSATION_EVENTS,
  stepEventTypes,
  statusTag,
  awaitingTag,
  // Retries
  DEFAULT_BACKOFF,
  DEFAULT_STEP_MAX_ATTEMPTS,
  DEFAULT_COMPENSATION_MAX_ATTEMPTS,
  backoffDelay,
  // Reading a definition back
  sagaStepsOf,
  describeDefinition,
  outcomeUnknown,
  attemptsInRun,
} from '../engine/index.js';
export type {
  BackoffPolicy,
  CompensationEntry,
  ContractSchemas,
  JsonSchema,
  CompensationOptions,
  DeadlineOptions,
  DefineSagaOptions,
  SagaMigration,
  DefinitionDescription,
  RetryOptions,
  SagaContext,
  SagaDeadlineMeta,
  SagaFailure,
  SagaMachineInput,
  SagaSetup,
  SagaStatechartEvent,
  SagaStateConfig,
  SagaStepInfo,
  SagaStepMeta,
  StepFailedEvent,
  StepOptions,
  StepProgress,
  StepStatus,
  StepSucceededEvent,
  StepTimedOutEvent,
} from '../engine/index.js';
