/**
 * What the saga event applier (`saga-event-applier.ts`) takes and answers: the events it is handed, the
 * outcome of each, and the failure codes an event that cannot be applied is dead-lettered with.
 */
import { DLQ_ERROR_CODES } from '../../wire/contract/index.js';
import { SagaEngineError, type SagaEvent, type SagaRecord } from '../engine/index.js';
import type { MessageHeaders } from '../../wire/transport/index.js';

export interface SagaEventItem {
  sagaId: string;
  event: SagaEvent;
  /** Headers of the Kafka message that carried the event (trace context), if any. */
  headers?: MessageHeaders;
  /**
   * The saga type the message says it is for (its `saga-type` header), when it says one: an
   * event for a saga of another type fails (`MISMATCH`) instead of moving that saga.
   */
  sagaType?: string;
}

/** Why an event could not be applied: the DLQ error code its message is dead-lettered with. */
export type InputFailureCode =
  | typeof DLQ_ERROR_CODES.invalid
  | typeof DLQ_ERROR_CODES.engineError
  | typeof DLQ_ERROR_CODES.mismatch
  | typeof DLQ_ERROR_CODES.storeRefused;

export type ApplyOutcome =
  | { status: 'applied'; record: SagaRecord }
  | { status: 'ignored'; reason: string; detail?: string; record: SagaRecord }
  | { status: 'unknown-saga' }
  /**
   * This event cannot be applied, for reasons of its own: the engine cannot run it (the saga's
   * definition version is gone, its snapshot is corrupt, the step throws), the store refuses the
   * write it leads to, or it names another saga type. The saga is left as it is; the caller
   * dead-letters the event with `code`, so nothing blocks.
   */
  | { status: 'error'; code: InputFailureCode; error: Error };

export type StartOutcome =
  | { status: 'started'; record: SagaRecord }
  | { status: 'existing'; record: SagaRecord }
  | {
      status: 'rejected';
      code: 'UNKNOWN_TYPE' | 'INVALID_INPUT';
      message: string;
      errors: string[];
    }
  /**
   * The definition threw while starting with this input (`ENGINE_ERROR`), or the store refused
   * the first write (`STORE_REFUSED`): nothing is written. Failures of Redis itself reject instead.
   */
  | { status: 'error'; code: InputFailureCode; error: Error };

/** The outcome of an event that cannot be applied, with the error's context when given. */
export function failed(code: InputFailureCode, error: Error, context?: string): ApplyOutcome {
  const described = context ? new Error(`${context}: ${error.message}`, { cause: error }) : error;
  return { status: 'error', code, error: described };
}

/**
 * A reply that breaks its step's reply schema is the participant's fault, a signal that breaks its
 * declared schema the sender's (`SCHEMA_INVALID`, as any invalid message); anything else the engine throws is the definition's or the saga's.
 */
export function engineFailureCode(error: unknown): InputFailureCode {
  return error instanceof SagaEngineError &&
    (error.code === 'REPLY_INVALID' || error.code === 'EVENT_INVALID')
    ? DLQ_ERROR_CODES.invalid
    : DLQ_ERROR_CODES.engineError;
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
