/**
 * XState's pure `transition()` returns the actions of a step as data. The engine cares about
 * four kinds and ignores the rest (context updates are already in the snapshot):
 *
 * - `saga.sendCommand` → a command;
 * - `xstate.raise` with a delay (an `after`, or a delayed raise) → a durable timer;
 *   a raise without a delay was handled inside the step, but `step.<s>.timedOut` /
 *   `compensation.timedOut` tell the engine a deadline passed;
 * - `xstate.cancel` → the timer is cancelled;
 * - `xstate.emit` → a lifecycle event.
 */
import type { JsonObject } from '../../wire/contract/index.js';
import { SagaEngineError } from './errors.js';
import {
  SEND_COMMAND_ACTION,
  isSendCommandParams,
  type SendCommandParams,
} from './vocabulary/command-params.js';
import { COMPENSATION_EVENTS } from './vocabulary/names.js';

export type StatechartAction =
  | { kind: 'command'; params: SendCommandParams }
  | { kind: 'setTimer'; timerId: string; delayMs: number; event: { type: string } & JsonObject }
  | { kind: 'cancelTimer'; timerId: string }
  | { kind: 'emit'; event: { type: string } & JsonObject }
  | { kind: 'timedOut'; step: string; compensation: boolean };

interface RawAction {
  type: string;
  params?: unknown;
}

const STEP_TIMED_OUT = /^step\.([^.]+)\.timedOut$/;

function eventOf(value: unknown): ({ type: string } & JsonObject) | undefined {
  if (value == null || typeof value !== 'object') return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? (value as { type: string } & JsonObject) : undefined;
}

function deadlineOf(event: { type: string } & JsonObject): StatechartAction | undefined {
  const match = STEP_TIMED_OUT.exec(event.type);
  if (match?.[1]) return { kind: 'timedOut', step: match[1], compensation: false };
  if (event.type === COMPENSATION_EVENTS.timedOut && typeof event.step === 'string') {
    return { kind: 'timedOut', step: event.step, compensation: true };
  }
  return undefined;
}

/** The actions of one step that mean something outside the statechart, in their order. */
export function readActions(actions: readonly RawAction[], sagaId: string): StatechartAction[] {
  const out: StatechartAction[] = [];
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    switch (action.type) {
      case SEND_COMMAND_ACTION:
        if (!isSendCommandParams(action.params)) {
          throw new SagaEngineError(
            'DEFINITION_INVALID',
            `saga ${sagaId}: ${SEND_COMMAND_ACTION} with unusable params ${JSON.stringify(action.params)}`,
            sagaId,
          );
        }
        out.push({ kind: 'command', params: action.params });
        break;
      case 'xstate.raise': {
        const event = eventOf(params.event);
        if (!event) break;
        if (typeof params.delay === 'number') {
          const timerId = typeof params.id === 'string' ? params.id : event.type;
          out.push({ kind: 'setTimer', timerId, delayMs: Math.max(0, params.delay), event });
        } else {
          const deadline = deadlineOf(event);
          if (deadline) out.push(deadline);
        }
        break;
      }
      case 'xstate.cancel':
        if (typeof params.sendId === 'string') {
          out.push({ kind: 'cancelTimer', timerId: params.sendId });
        }
        break;
      case 'xstate.emit': {
        const event = eventOf(params.event);
        if (event) out.push({ kind: 'emit', event });
        break;
      }
      default:
        break;
    }
  }
  return out;
}
