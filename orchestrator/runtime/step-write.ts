/**
 * What one commit writes besides the record: every applied step's outgoing messages in order
 * (each lifecycle event carries the state after its own step), the history, and the timers as the
 * difference between the armed timers before and after, so a timer set and cancelled within the
 * commit never reaches Redis, and one cancelled and re-armed is simply re-set.
 *
 * A paused saga has no timer in the store's set (its record keeps them, to re-arm on resume,
 * moved later) and no message in the outbox: the write that pauses it cancels its timers and
 * holds its unpublished messages, the one that resumes it sets them and releases the messages.
 */
import type { TopicNames } from '../../wire/contract/index.js';
import type { AppliedStep, SagaRecord } from '../engine/index.js';
import type { StepWrite } from '../store/index.js';
import {
  outgoingMessages,
  type LifecycleEventLevel,
  type TraceHeaders,
} from './outgoing-messages.js';

export interface StepWriteOptions {
  topics: TopicNames;
  lifecycleEvents?: LifecycleEventLevel;
  traceHeaders?: TraceHeaders;
}

/** The write of `steps` applied in order to `before` (`undefined` for a saga that starts). */
export function stepWriteFor(
  before: SagaRecord | undefined,
  steps: readonly AppliedStep[],
  options: StepWriteOptions,
): StepWrite {
  const last = steps[steps.length - 1];
  const outbox = steps.flatMap((step) => outgoingMessages(step.record, step.effects, options));
  const history = steps.flatMap((step) => step.history);
  const previous = new Map(armedTimers(before).map((t) => [t.timerId, t]));
  const next = new Map(armedTimers(last?.record).map((t) => [t.timerId, t]));
  const timersToCancel = [...previous.keys()].filter(
    (id) => next.get(id)?.dueAt !== previous.get(id)?.dueAt,
  );
  const timersToSet = [...next.values()].filter(
    (timer) => previous.get(timer.timerId)?.dueAt !== timer.dueAt,
  );
  const wasPaused = before?.paused !== undefined;
  const isPaused = last?.record.paused !== undefined;
  if (wasPaused === isPaused) return { outbox, history, timersToSet, timersToCancel };
  if (isPaused) return { outbox, history, timersToSet, timersToCancel, outboxHold: 'hold' };
  // The held commands' expiry moves as far as the saga's deadlines did (engine/pause.ts).
  const heldForMs = Math.max(0, (last?.record.updatedAt ?? 0) - (before?.paused?.at ?? 0));
  return { outbox, history, timersToSet, timersToCancel, outboxHold: 'release', heldForMs };
}

/** The timers a record has in the store's timer set: none while it is paused. */
function armedTimers(record: SagaRecord | undefined): SagaRecord['timers'] {
  return record === undefined || record.paused !== undefined ? [] : record.timers;
}
