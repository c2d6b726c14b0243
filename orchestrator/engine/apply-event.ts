/**
 * Applying a reply, a due timer or a signal to a stored saga. Everything that must not move the
 * saga is answered `ignored` before XState runs: a saga that ended, a reply to a command that is
 * not pending, a timer that is not armed, a signal the statechart does not accept. A signal whose
 * fields break its declared schema throws `EVENT_INVALID` (signals.ts).
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import type { JsonObject, ReplyMessage } from '../../wire/contract/index.js';
import { checkReplyPayload } from './contracts.js';
import {
  heldReplyEntry,
  operatorEntry,
  replyEntry,
  signalEntry,
  timerEntry,
  type OperatorAction,
} from './history.js';
import { pauseSaga, resumedRecord } from './pause.js';
import { pureTransition } from './pure-transition.js';
import { replyReceived } from './lifecycle.js';
import { toAppliedStep, type StepInputs } from './settle.js';
import { currentTimerEvent } from './step-deadlines.js';
import { isEnded } from '../../wire/contract/index.js';
import { checkSignalFields } from './signals.js';
import { restoreSnapshot } from './snapshot.js';
import type {
  AppliedStep,
  EpochMs,
  IgnoredReason,
  OperatorAudit,
  SagaDefinition,
  SagaEvent,
  SagaRecord,
  StepResult,
} from './types.js';
import { replyEvent } from './vocabulary/events.js';
import { isReservedEventType } from './vocabulary/names.js';

type Prepared =
  | { ignored: IgnoredReason; detail: string }
  | {
      event: EventObject;
      consumed: Set<string>;
      timers: SagaRecord['timers'];
      fromInput: StepInputs['fromInput'];
    };

const ignore = (ignored: IgnoredReason, detail: string): Prepared => ({ ignored, detail });

function prepareReply(
  definition: SagaDefinition,
  record: SagaRecord,
  reply: ReplyMessage,
  now: EpochMs,
): Prepared {
  const command = record.pending.find((c) => c.commandId === reply.commandId);
  if (!command) return ignore('not-pending', `no pending command ${reply.commandId}`);
  if (reply.sagaId !== record.id) {
    return ignore('not-pending', `reply for saga ${reply.sagaId} sent to saga ${record.id}`);
  }
  if (reply.type !== command.command) {
    return ignore('not-pending', `reply type ${reply.type} does not answer ${command.command}`);
  }
  if (reply.outcome === 'success') {
    checkReplyPayload(definition.machine, {
      sagaType: definition.type,
      sagaId: record.id,
      step: command.step,
      kind: command.kind,
      payload: reply.payload ?? {},
    });
  }
  return {
    event: replyEvent(command, reply),
    consumed: new Set([command.commandId]),
    timers: record.timers,
    fromInput: {
      effects: [replyReceived(command, reply)],
      history: [replyEntry(now, command, reply)],
    },
  };
}

function prepareTimer(
  record: SagaRecord,
  timerId: string,
  dueAt: EpochMs | undefined,
  now: EpochMs,
): Prepared {
  const timer = record.timers.find((t) => t.timerId === timerId);
  if (!timer) return ignore('timer-not-armed', `timer ${timerId} is not armed`);
  if (dueAt !== undefined && dueAt !== timer.dueAt) {
    return ignore('timer-not-armed', `timer ${timerId} was re-armed for ${timer.dueAt}`);
  }
  return {
    event: timer.event,
    consumed: new Set(),
    timers: record.timers.filter((t) => t !== timer),
    fromInput: { effects: [], history: [timerEntry(now, timerId, timer.dueAt)] },
  };
}

function prepareSignal(
  definition: SagaDefinition,
  record: SagaRecord,
  snapshot: AnyMachineSnapshot,
  event: { type: string } & JsonObject,
  now: EpochMs,
  audit: OperatorAudit | undefined,
): Prepared {
  if (event == null || typeof event.type !== 'string' || event.type === '') {
    return ignore('event-not-accepted', 'a signal needs a string type');
  }
  if (isReservedEventType(event.type)) {
    return ignore('event-not-accepted', `${event.type} is reserved for the engine`);
  }
  // Before `can`: a guard must never read fields that break the declared schema.
  checkSignalFields(definition, event, record.id);
  if (!snapshot.can(event)) {
    return ignore('event-not-accepted', `${event.type} is not accepted in ${record.state}`);
  }
  return {
    event,
    consumed: new Set(),
    timers: record.timers,
    fromInput: {
      effects: [],
      history: [
        audit
          ? operatorEntry(now, signalAction(event.type), audit, event)
          : signalEntry(now, event),
      ],
    },
  };
}

/** Cancel and retry travel as the reserved signals `saga.cancel` / `saga.retry`. */
function signalAction(type: string): OperatorAction {
  if (type === 'saga.cancel') return 'cancel';
  if (type === 'saga.retry') return 'retry';
  return 'signal';
}

/**
 * A reply reaching a paused saga: checked as if it were applied (a reply that would be ignored
 * is ignored now), then kept in the record with a history line, to be applied on resume.
 */
function holdReply(
  definition: SagaDefinition,
  record: SagaRecord & { paused: NonNullable<SagaRecord['paused']> },
  reply: ReplyMessage,
  now: EpochMs,
): StepResult {
  const prepared = prepareReply(definition, record, reply, now);
  if ('ignored' in prepared) {
    return { outcome: 'ignored', reason: prepared.ignored, detail: prepared.detail };
  }
  const { heldReplies } = record.paused;
  if (heldReplies.some((held) => held.commandId === reply.commandId)) {
    return { outcome: 'ignored', reason: 'not-pending', detail: `${reply.commandId} is held` };
  }
  const command = record.pending.find((c) => c.commandId === reply.commandId);
  return {
    outcome: 'applied',
    record: {
      ...record,
      revision: record.revision + 1,
      updatedAt: now,
      paused: { ...record.paused, heldReplies: [...heldReplies, reply] },
    },
    effects: [],
    history: command ? [heldReplyEntry(now, command, reply)] : [],
  };
}

/**
 * Resumes a paused saga and applies the replies it held, in arrival order, as one step (one
 * revision): its history has the resume line, then each reply's lines.
 */
function resumeSaga(
  definition: SagaDefinition,
  record: SagaRecord,
  audit: OperatorAudit,
  now: EpochMs,
): StepResult {
  if (!record.paused) {
    return { outcome: 'ignored', reason: 'not-paused', detail: 'the saga is not paused' };
  }
  const { step, held } = resumedRecord({ ...record, paused: record.paused }, audit, now);
  let current: AppliedStep = step;
  for (const reply of held) {
    const next = applyEvent(definition, current.record, { kind: 'reply', reply }, now);
    if (next.outcome === 'ignored') continue;
    current = {
      outcome: 'applied',
      record: next.record,
      effects: [...current.effects, ...next.effects],
      history: [...current.history, ...next.history],
    };
  }
  return { ...current, record: { ...current.record, revision: record.revision + 1 } };
}

export function applyEvent(
  definition: SagaDefinition,
  record: SagaRecord,
  event: SagaEvent,
  now: EpochMs,
): StepResult {
  if (isEnded(record.status)) {
    return { outcome: 'ignored', reason: 'saga-ended', detail: `saga is ${record.status}` };
  }
  if (event.kind === 'pause') return pauseSaga(record, event.audit, now);
  if (event.kind === 'resume') return resumeSaga(definition, record, event.audit, now);
  if (event.kind === 'migrate') {
    // It needs the registry (the version it moves to): createEngine applies it, not this function.
    return { outcome: 'ignored', reason: 'migration-refused', detail: 'no migration given' };
  }
  if (record.paused) {
    if (event.kind === 'reply') {
      return holdReply(definition, { ...record, paused: record.paused }, event.reply, now);
    }
    // A timer is back in the store's set on resume, moved later; a signal waits for the operator.
    return { outcome: 'ignored', reason: 'saga-paused', detail: 'the saga is paused' };
  }
  const snapshot = restoreSnapshot(definition.machine, record.snapshot, record.id);
  const prepared =
    event.kind === 'reply'
      ? prepareReply(definition, record, event.reply, now)
      : event.kind === 'timer'
        ? prepareTimer(record, event.timerId, event.dueAt, now)
        : prepareSignal(definition, record, snapshot, event.event, now, event.audit);
  if ('ignored' in prepared) {
    return { outcome: 'ignored', reason: prepared.ignored, detail: prepared.detail };
  }
  // A step deadline armed before deadlines were named fires as the named one (step-deadlines.ts).
  const statechartEvent =
    event.kind === 'timer' ? currentTimerEvent(definition.machine, prepared.event) : prepared.event;
  const [next, actions] = pureTransition(definition.machine, snapshot, statechartEvent);
  return toAppliedStep({
    definition,
    sagaId: record.id,
    now,
    previous: record,
    snapshot: next,
    actions,
    consumed: prepared.consumed,
    timers: prepared.timers,
    fromInput: prepared.fromInput,
  });
}
