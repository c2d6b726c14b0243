/**
 * Turns one XState step (the next snapshot and its actions) into the engine's answer: the next
 * record, the effects in the statechart's order, and the history lines. Shared by `start` and
 * `apply`, which differ only in what led to the step.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { ArmedTimers } from './armed-timers.js';
import { commandIdFor } from './command-id.js';
import { checkCommandPayload } from './contracts.js';
import { SagaEngineError } from './errors.js';
import { abandonedEntry, commandEntry, deadlineEntry, transitionEntry } from './history.js';
import { commandSent, deadlinePassed, statusChanged } from './lifecycle.js';
import { nextPending } from './pending.js';
import { isEnded } from '../../wire/contract/index.js';
import { asJson } from './json-text.js';
import { persistSnapshot, stateOf, statusOf } from './snapshot.js';
import { readActions } from './statechart-actions.js';
import type {
  AppliedStep,
  ArmedTimer,
  CommandEffect,
  Effect,
  EpochMs,
  HistoryEntry,
  PendingCommand,
  SagaDefinition,
  SagaRecord,
  SagaStatus,
  SagaTraceContext,
} from './types.js';

export interface StepInputs {
  definition: SagaDefinition;
  sagaId: string;
  now: EpochMs;
  /** The stored saga before this step; `null` when it starts. */
  previous: SagaRecord | null;
  snapshot: AnyMachineSnapshot;
  actions: readonly { type: string; params?: unknown }[];
  /** Command ids whose reply this step consumed. */
  consumed: ReadonlySet<string>;
  /** Timers armed before the step (a fired timer already removed). */
  timers: readonly ArmedTimer[];
  /**
   * What the input itself produced (reply lifecycle, signal history…), before the statechart's:
   * fresh arrays, which become the step's `effects` and `history`.
   */
  fromInput: { effects: Effect[]; history: HistoryEntry[] };
  idempotencyKey?: string;
  trace?: SagaTraceContext;
}

/**
 * The engine's answer to one XState step (`StepInputs`): the next record, the effects in the
 * statechart's order after those the input itself produced, and the history lines.
 */
export function toAppliedStep(inputs: StepInputs): AppliedStep {
  const { definition, sagaId, now, previous, snapshot } = inputs;
  if (snapshot.status === 'error') {
    // XState catches what the definition's code throws and stops the machine; a stopped machine
    // must never be stored as a running saga.
    const cause: unknown = snapshot.error;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new SagaEngineError(
      'DEFINITION_THREW',
      `saga ${sagaId} (${definition.type} v${definition.version}): the definition threw: ${detail}`,
      sagaId,
    );
  }
  // Made for this step by its caller: appended to, not copied.
  const { effects, history } = inputs.fromInput;
  const timers = new ArmedTimers(inputs.timers);
  const pendingBefore = (previous?.pending ?? []).filter((c) => !inputs.consumed.has(c.commandId));
  const sent: PendingCommand[] = [];
  const timedOut = new Set<string>();

  for (const action of readActions(inputs.actions, sagaId)) {
    switch (action.kind) {
      case 'command': {
        const p = action.params;
        checkCommandPayload(definition.machine, {
          sagaType: definition.type,
          sagaId,
          step: p.step,
          kind: p.kind,
          payload: p.payload,
        });
        const command: CommandEffect = {
          type: 'command',
          commandId: commandIdFor(sagaId, p.step, p.kind, p.commandAttempt ?? p.attempt),
          sagaId,
          sagaType: definition.type,
          participant: p.participant,
          command: p.command,
          step: p.step,
          kind: p.kind,
          payload: asJson(p.payload),
          attempt: p.attempt,
          issuedAt: now,
          expiresAt: now + p.timeoutMs,
        };
        effects.push(command, commandSent(command));
        history.push(commandEntry(now, command));
        sent.push({
          commandId: command.commandId,
          step: command.step,
          participant: command.participant,
          command: command.command,
          kind: command.kind,
          attempt: command.attempt,
          issuedAt: command.issuedAt,
          expiresAt: command.expiresAt,
        });
        break;
      }
      case 'setTimer':
        timers.set({ ...action, event: asJson(action.event) }, now);
        break;
      case 'cancelTimer':
        timers.cancel(action.timerId);
        break;
      case 'emit': {
        const { type, ...data } = asJson(action.event);
        effects.push({ type: 'lifecycle', event: type, data });
        break;
      }
      case 'timedOut': {
        const kind = action.compensation ? 'compensation' : 'action';
        const command = pendingBefore.find((c) => c.kind === kind && c.step === action.step);
        if (command) timedOut.add(command.commandId);
        effects.push(deadlinePassed(action.step, action.compensation, command));
        history.push(deadlineEntry(now, action.step, command));
        break;
      }
    }
  }

  const status: SagaStatus = statusOf(snapshot);
  const ended = isEnded(status);
  const { pending, dropped } = nextPending(pendingBefore, sent, snapshot);
  for (const command of dropped) {
    if (!timedOut.has(command.commandId)) history.push(abandonedEntry(now, command));
  }
  if (ended) timers.cancelAll();

  const state = stateOf(snapshot);
  const change = statusChanged(previous?.status ?? null, status, snapshot.context);
  if (change) effects.push(change);
  if (previous && previous.state !== state) {
    history.push(transitionEntry(now, previous.state, state, status));
  }

  const idempotencyKey = inputs.idempotencyKey ?? previous?.idempotencyKey;
  const trace = inputs.trace ?? previous?.trace;
  // Kept while the state stays; a record from before the field existed starts counting now.
  const stateEnteredAt =
    previous && previous.state === state ? (previous.stateEnteredAt ?? now) : now;
  const record: SagaRecord = {
    id: sagaId,
    type: definition.type,
    definitionVersion: definition.version,
    revision: (previous?.revision ?? 0) + 1,
    status,
    state,
    snapshot: persistSnapshot(definition.machine, snapshot),
    pending: ended ? [] : pending,
    timers: timers.list(),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    stateEnteredAt,
    ...(trace !== undefined ? { trace } : {}),
  };
  return { outcome: 'applied', record, effects, history };
}
