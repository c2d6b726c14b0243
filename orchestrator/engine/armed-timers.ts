/**
 * `record.timers` follows the statechart's set/cancel actions in order; it is the one account of
 * what is armed (the engine emits no timer effects: the runtime writes the difference between the
 * records). Re-entering a state gives a cancel then a set with the same id (a fresh deadline); a
 * cancel of a timer that is not armed (it has just fired) changes nothing. Cancelling a named step deadline cancels that state's
 * deadline armed under its pre-naming id, if that is what is armed (see step-deadlines.ts): leaving
 * the state always cancels, so a legacy deadline never outlives its attempt.
 */
import type { ArmedTimer, EpochMs } from './types.js';
import type { StatechartAction } from './statechart-actions.js';
import { isLegacyTimerOf } from './step-deadlines.js';

export class ArmedTimers {
  private readonly timers: ArmedTimer[];

  constructor(initial: readonly ArmedTimer[]) {
    this.timers = [...initial];
  }

  set(action: Extract<StatechartAction, { kind: 'setTimer' }>, now: EpochMs): void {
    const timer: ArmedTimer = {
      timerId: action.timerId,
      dueAt: now + action.delayMs,
      event: action.event,
    };
    const index = this.timers.findIndex((t) => t.timerId === action.timerId);
    if (index >= 0) this.timers.splice(index, 1);
    this.timers.push(timer);
  }

  /** Disarms the timer; nothing happens when it is not armed. */
  cancel(timerId: string): void {
    let index = this.timers.findIndex((t) => t.timerId === timerId);
    if (index < 0) index = this.timers.findIndex((t) => isLegacyTimerOf(t.timerId, timerId));
    if (index < 0) return;
    this.timers.splice(index, 1);
  }

  /** Cancels everything still armed (a saga that ended keeps no timers). */
  cancelAll(): void {
    this.timers.length = 0;
  }

  /** The timers armed now; the list itself (a step's `ArmedTimers` is discarded after it). */
  list(): ArmedTimer[] {
    return this.timers;
  }
}
