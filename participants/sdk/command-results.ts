/** Results as the ledger records them, and the replies built from them. */
import type { CommandMessage, ReplyMessage } from '../../wire/contract/index.js';
import type { RecordedResult } from './command-ledger.js';
import type { HandlerResult } from './define-participant.js';

/** A handler's return value as a success result; anything but an object is a handler bug. */
export function successResult(value: HandlerResult, type: string): RecordedResult {
  if (value === undefined) return { outcome: 'success' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`handler ${type} returned ${typeof value}; a reply payload is an object`);
  }
  return { outcome: 'success', payload: value };
}

/** The reply to `command` that carries `result`. */
export function replyFor(command: CommandMessage, result: RecordedResult): ReplyMessage {
  const ids = { commandId: command.commandId, sagaId: command.sagaId, type: command.type };
  if (result.outcome === 'success') {
    return result.payload === undefined
      ? { ...ids, outcome: 'success' }
      : { ...ids, outcome: 'success', payload: result.payload };
  }
  return { ...ids, outcome: 'failure', error: result.error };
}
