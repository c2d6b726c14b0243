/**
 * What a handler throws says whether to retry (KafkaJS `retriable`, Restate `TerminalError`):
 *
 * - {@link BusinessError}: a terminal refusal (`OUT_OF_STOCK`, `DECLINED`). Not retried; the
 *   reply is a `failure` with `retryable: false`, and the orchestrator starts compensation.
 * - {@link RetryableError}, or any other thrown value: a transient fault. Retried in-process
 *   with back-off; when the tries run out the reply is a `failure` with `retryable: true`, and the
 *   orchestrator may retry the step with a new command.
 */
export abstract class ParticipantError extends Error {
  /** A stable, machine-readable code that goes into the reply's `error.code`. */
  readonly code: string;
  abstract readonly retryable: boolean;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A terminal business refusal: the step failed for good and its saga must compensate.
 *
 * @example
 * throw new BusinessError('OUT_OF_STOCK', `SKU-1: 2 requested, 1 available`);
 */
export class BusinessError extends ParticipantError {
  readonly retryable = false;
}

/** A transient fault with a code of its own (`CARRIER_UNAVAILABLE`); retried, then reported. */
export class RetryableError extends ParticipantError {
  readonly retryable = true;
}

/** The code a reply carries when a handler threw something that is not a ParticipantError. */
export const UNEXPECTED_ERROR_CODE = 'HANDLER_ERROR';

/** The reply error for anything a handler threw. */
export function describeHandlerError(error: unknown): {
  code: string;
  message: string;
  retryable: boolean;
} {
  if (error instanceof ParticipantError) {
    return { code: error.code, message: truncate(error.message), retryable: error.retryable };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: UNEXPECTED_ERROR_CODE, message: truncate(message), retryable: true };
}

/** The reply schema caps `error.message` at 2000 characters. */
function truncate(message: string): string {
  return message.length <= 2000 ? message : `${message.slice(0, 1997)}...`;
}
