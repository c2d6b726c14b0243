/**
 * `record.pending` is exactly the commands whose reply the statechart still waits for: a command
 * stays pending while a state carrying its awaiting tag is active, until its reply is consumed, or
 * until a newer attempt of the same step and kind replaces it. A reply to anything else (a
 * duplicate, a reply after the deadline or after a retry was sent) is ignored, so it never moves
 * the saga.
 */
import type { AnyMachineSnapshot } from 'xstate';
import type { PendingCommand } from './types.js';
import { awaitingTag } from './vocabulary/names.js';

/**
 * @param previous - pending before the step, without the command whose reply was just consumed
 * @param sent - commands sent in this step, in order
 */
export function nextPending(
  previous: readonly PendingCommand[],
  sent: readonly PendingCommand[],
  snapshot: AnyMachineSnapshot,
): { pending: PendingCommand[]; dropped: PendingCommand[] } {
  const candidates = [...previous, ...sent];
  const latest = new Map<string, PendingCommand>();
  for (const command of candidates) latest.set(`${command.kind}:${command.step}`, command);
  const pending: PendingCommand[] = [];
  const dropped: PendingCommand[] = [];
  for (const command of candidates) {
    const current = latest.get(`${command.kind}:${command.step}`) === command;
    if (current && snapshot.hasTag(awaitingTag(command.kind, command.step))) {
      pending.push(command);
    } else {
      dropped.push(command);
    }
  }
  return { pending, dropped };
}
