/**
 * The params of the `saga.sendCommand` action: everything the engine needs to turn it into a
 * command, as plain data. The engine adds the saga id, the command id and the times.
 */
import type { JsonObject } from '../../../wire/contract/index.js';

/** The action type the engine turns into a `CommandEffect`. */
export const SEND_COMMAND_ACTION = 'saga.sendCommand';

export interface SendCommandParams {
  /** The step (for a compensation: the step it undoes). */
  step: string;
  participant: string;
  /** The command type, e.g. `ReserveItems`. */
  command: string;
  kind: 'action' | 'compensation';
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * The attempt whose command id this command carries, when not `attempt`: an attempt after a
   * deadline re-sends the unanswered command (same id); an attempt after a failure reply is a new
   * command (its own id).
   */
  commandAttempt?: number;
  payload: JsonObject;
  /** How long the statechart waits for the reply; the command's `expiresAt` is issuedAt + this. */
  timeoutMs: number;
}

/** `commandAttempt` for the send params, when the attempt re-sends an earlier one's command. */
export const commandAttemptParam = (
  commandAttempt: number | undefined,
): Pick<SendCommandParams, 'commandAttempt'> =>
  commandAttempt === undefined ? {} : { commandAttempt };

/** Checks that an action's params are usable command params (definitions are code; be sure). */
export function isSendCommandParams(value: unknown): value is SendCommandParams {
  if (value == null || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.step === 'string' &&
    typeof p.participant === 'string' &&
    p.participant.length > 0 &&
    typeof p.command === 'string' &&
    p.command.length > 0 &&
    (p.kind === 'action' || p.kind === 'compensation') &&
    typeof p.attempt === 'number' &&
    Number.isInteger(p.attempt) &&
    p.attempt >= 1 &&
    (p.commandAttempt === undefined ||
      (typeof p.commandAttempt === 'number' &&
        Number.isInteger(p.commandAttempt) &&
        p.commandAttempt >= 1)) &&
    p.payload != null &&
    typeof p.payload === 'object' &&
    !Array.isArray(p.payload) &&
    typeof p.timeoutMs === 'number' &&
    p.timeoutMs > 0
  );
}
