/**
 * `record.timers` follows the statechart's set/cancel actions in order. Re-entering a state gives
 * a cancel then a set with the same id (a fresh deadline); a cancel of a timer that is not armed
 * (it has just fired) is not passed on. Cancelling a named step deadline cancels that state's
 * deadline armed under its pre-naming id, if that is what is armed (see step-deadlines.ts): leaving
 * the state always cancels, so a legacy deadline never outlives its attempt.
 */
import type { ArmedTimer, CancelTimerEffect, EpochMs, SetTimerEffect } from './types.js';
import type { StatechartAction } from './statechart-actions.js';
import { isLegacyTimerOf } from './step-deadlines.js';

export class ArmedTimers {
  private readonly timers: ArmedTimer[];

  constructor(initial: readonly ArmedTimer[]) {
    this.timers = [...initial];
  }

  set(action: Extract<StatechartAction, { kind: 'setTimer' }>, now: EpochMs): SetTimerEffect {
    const timer: ArmedTimer = {
      timerId: action.timerId,
      dueAt: now + action.delayMs,
      event: action.event,
    };
    const index = this.timers.findIndex((t) => t.timerId === action.timerId);
    if (index >= 0) this.timers.splice(index, 1);
    this.timers.push(timer);
    return { type: 'setTimer', timer };
  }

  /** The cancel effect, or nothing when the timer is not armed. */
  cancel(timerId: string): CancelTimerEffect | undefined {
    let index = this.timers.findIndex((t) => t.timerId === timerId);
    if (index < 0) index = this.timers.findIndex((t) => isLegacyTimerOf(t.timerId, timerId));
    const armed = this.timers[index];
    if (!armed) return undefined;
    this.timers.splice(index, 1);
    return { type: 'cancelTimer', timerId: armed.timerId };
  }

  /** Cancels everything still armed (a saga that ended keeps no timers). */
  cancelAll(): CancelTimerEffect[] {
    return [...this.timers].map((t) => this.cancel(t.timerId)).filter((e) => e !== undefined);
  }

  list(): ArmedTimer[] {
    return [...this.timers];
  }
}
