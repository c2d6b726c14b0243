/**
 * What the engine throws. `start` and `apply` return results for everything that can happen to a
 * saga (bad input, duplicates, late replies…); they throw only when the engine cannot run a record
 * at all — a definition is missing or the statechart misbehaves. That is a deployment or authoring
 * error, not a message error: the runtime logs it and dead-letters the message that met it (so
 * nothing blocks), for an operator to replay once the deployment is fixed.
 */
export type SagaEngineErrorCode =
  /** No definition for the record's type and version. */
  | 'DEFINITION_NOT_FOUND'
  /** The stored snapshot does not fit the definition's statechart. */
  | 'SNAPSHOT_INVALID'
  /** The statechart produced something the engine cannot turn into effects. */
  | 'DEFINITION_INVALID'
  /**
   * Code of the definition threw during the step (an action, a guard, a payload function), so
   * XState stopped the statechart: nothing of the step is kept.
   */
  | 'DEFINITION_THREW';

export class SagaEngineError extends Error {
  override readonly name = 'SagaEngineError';
  constructor(
    readonly code: SagaEngineErrorCode,
    message: string,
    readonly sagaId?: string,
    readonly step?: string,
  ) {
    super(message);
  }
}
