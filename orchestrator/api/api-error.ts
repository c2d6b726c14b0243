/**
 * The API's errors. Every error response has the same shape, `{ error: { code, message, details? } }`:
 * `code` is stable and machine-readable, `message` says in one line what is wrong, `details`
 * carries what a client can act on (the failing fields, the saga's state). No stack trace or
 * internal message ever leaves the process.
 */

/** Stable error codes, with the HTTP status each one is sent with. */
export const API_ERRORS = {
  /** The body or a parameter does not match the OpenAPI document. */
  VALIDATION_FAILED: 400,
  /** The body is not JSON. */
  MALFORMED_JSON: 400,
  /** Not HTTP the server can parse (an unknown method, a malformed request line or header). */
  MALFORMED_REQUEST: 400,
  /** The saga type named in a start request is not registered. */
  UNKNOWN_SAGA_TYPE: 400,
  /** The saga definition refused the input (`details.errors` lists why). */
  INVALID_INPUT: 400,
  /**
   * The signal's fields break the schema its saga's definition declares for its type
   * (`details.errors` lists each violation, `{ path, message }`); nothing is applied.
   */
  INVALID_EVENT: 400,
  /** The event type is the engine's own (`step.*`, `compensation.*`, `xstate.*`, `saga.*`). */
  RESERVED_EVENT: 400,
  /** A list cursor that this server did not hand out. */
  INVALID_CURSOR: 400,
  /** `/v1` needs `Authorization: Bearer <token>` and it is missing or wrong. */
  UNAUTHORIZED: 401,
  /** The token is valid but its role may not do this (the read-only token on an action). */
  FORBIDDEN: 403,
  /** No saga with this id (never started, or purged after its retention). */
  SAGA_NOT_FOUND: 404,
  /** No definition of this type. */
  DEFINITION_NOT_FOUND: 404,
  /** No such route. */
  NOT_FOUND: 404,
  /** The route exists but not with this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The saga does not accept the event in its current state (`details` has its state). */
  EVENT_NOT_ACCEPTED: 409,
  /** The saga has ended; nothing moves it any more. */
  SAGA_ENDED: 409,
  /** The saga is paused: resume it before a signal, a cancel or a retry. */
  SAGA_PAUSED: 409,
  /** `retry` of a saga that is not parked. */
  NOT_PARKED: 409,
  /** A saga with the requested id exists with another type. */
  SAGA_ID_TAKEN: 409,
  /** The request did not arrive in full in time (Node's request timeout). */
  REQUEST_TIMEOUT: 408,
  /** The body is larger than the limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** A body that is not `application/json` (or not UTF-8). */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The request line and headers are larger than Node's limit (16 kB). */
  HEADERS_TOO_LARGE: 431,
  /** The orchestrator cannot serve the request now (Redis unreachable, shutting down). */
  UNAVAILABLE: 503,
  /** A bug or an unexpected failure; the orchestrator's log has the details. */
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> };
}

/** Thrown (or passed to `next`) by a route; the error handler turns it into the response. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code];
  }

  toBody(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}
