/**
 * What the engine throws. `start` and `apply` return results for everything that can happen to a
 * saga (bad input, duplicates, late replies…); they throw when the engine cannot run a record at
 * all — a definition is missing or the statechart misbehaves — or when a message breaks its step's
 * contract (`COMMAND_INVALID`, `REPLY_INVALID`, `EVENT_INVALID`). Nothing is written then: the runtime logs it and
 * dead-letters the message that met it (so nothing blocks), for an operator to replay once the
 * deployment (or the participant) is fixed, and leaves the saga as it is.
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
  | 'DEFINITION_THREW'
  /** A command payload does not match its step's `payloadSchema` (a definition bug). */
  | 'COMMAND_INVALID'
  /**
   * A success reply's payload does not match its step's `replySchema` (a participant bug): the
   * reply is not applied; the runtime dead-letters it and the step's deadline takes over.
   */
  | 'REPLY_INVALID'
  /**
   * A signal's fields do not match the schema its definition declares for its type (the sender's
   * fault, `SignalInvalidError` lists each violation): nothing is applied.
   */
  | 'EVENT_INVALID';

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
