/**
 * What one written step means for telemetry, read from the records before and after it and its
 * effects: which commands it closed and how, which it sent, whether the saga changed state or
 * status. Pure; shared by the metrics and the spans so both tell the same story.
 */
import type { ReplyError } from '../../wire/contract/index.js';
import type { CommandEffect, PendingCommand, SagaStatus } from '../engine/index.js';
import type { StepWritten } from './runtime-hooks.js';

/** How a command's step ended, from the orchestrator's point of view. */
export type StepOutcome = 'success' | 'failure' | 'timeout' | 'abandoned';

export interface ClosedCommand {
  command: PendingCommand;
  outcome: StepOutcome;
  /** The participant's error, for a failure. */
  error?: ReplyError;
}

const TIMEOUT_EVENTS = new Set(['StepTimedOut', 'CompensationTimedOut']);

/** Commands pending before the step and not after it, with what closed them. */
export function closedCommands(step: StepWritten): ClosedCommand[] {
  const { before, after, event, effects } = step;
  if (!before) return [];
  const stillPending = new Set(after.pending.map((command) => command.commandId));
  const timedOut = new Set<string>();
  for (const effect of effects) {
    if (effect.type === 'lifecycle' && TIMEOUT_EVENTS.has(effect.event)) {
      const commandId = effect.data.commandId;
      if (typeof commandId === 'string') timedOut.add(commandId);
    }
  }
  // A resume applies the replies its saga held while paused: they close commands as a reply does.
  const replies =
    event?.kind === 'reply'
      ? [event.reply]
      : event?.kind === 'resume'
        ? (before.paused?.heldReplies ?? [])
        : [];
  return before.pending
    .filter((command) => !stillPending.has(command.commandId))
    .map((command): ClosedCommand => {
      const reply = replies.find((r) => r.commandId === command.commandId);
      if (reply) {
        return reply.outcome === 'success'
          ? { command, outcome: 'success' }
          : { command, outcome: 'failure', error: reply.error };
      }
      return { command, outcome: timedOut.has(command.commandId) ? 'timeout' : 'abandoned' };
    });
}

/** The commands the step sent. */
export function sentCommands(step: StepWritten): CommandEffect[] {
  return step.effects.filter((effect): effect is CommandEffect => effect.type === 'command');
}

/** The timeouts the step recorded (step and compensation deadlines). */
export function timeouts(step: StepWritten): { step: string; kind: 'action' | 'compensation' }[] {
  const found: { step: string; kind: 'action' | 'compensation' }[] = [];
  for (const effect of step.effects) {
    if (effect.type !== 'lifecycle' || !TIMEOUT_EVENTS.has(effect.event)) continue;
    const name = effect.data.step;
    found.push({
      step: typeof name === 'string' ? name : 'unknown',
      kind: effect.event === 'StepTimedOut' ? 'action' : 'compensation',
    });
  }
  return found;
}

/** The status the saga reached with this step, when it changed to anything but `running`. */
export function newOutcomeStatus(step: StepWritten): Exclude<SagaStatus, 'running'> | undefined {
  const { before, after } = step;
  if (after.status === 'running' || before?.status === after.status) return undefined;
  return after.status;
}

/** The state the saga left with this step and how long it was in it (ms), when known. */
export function leftState(step: StepWritten): { state: string; durationMs: number } | undefined {
  const { before, after, at } = step;
  if (!before || before.state === after.state || before.stateEnteredAt === undefined) {
    return undefined;
  }
  return { state: before.state, durationMs: Math.max(0, at - before.stateEnteredAt) };
}
