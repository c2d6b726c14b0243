/** The CLI's exit codes, for scripts (documented in docs/api.md). */
export const EXIT = {
  OK: 0,
  /** The API answered with an error (4xx, 5xx); the message says what. */
  API_ERROR: 1,
  /** Wrong arguments or options, or input that is not JSON. */
  USAGE: 2,
  /** The API cannot be reached at the URL. */
  UNREACHABLE: 3,
  /** `wait` / `start --wait`: the saga was still running when the timeout passed. */
  STILL_RUNNING: 4,
  /** `wait` / `start --wait`: the saga ended otherwise than completed (compensated, parked…). */
  NOT_COMPLETED: 5,
  /** `definitions check`: a definition has an error-level finding, or does not load. */
  CHECK_FAILED: 6,
  /** `retry-parked`: some parked sagas could not be retried (each is listed with why). */
  SOME_NOT_RETRIED: 7,
  /** `definitions migrate` (not a dry run): some sagas stay on their version (each listed with why). */
  SOME_NOT_MIGRATED: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Stops the command with an exit code and a message for stderr. */
export class CliExit extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
