/**
 * What a saga waits for, for operators: the replies it expects, the timers it has armed, the
 * external events its current state accepts, and whether it can be cancelled or retried. The
 * events come from the statechart itself: the saga's snapshot is restored (as the engine does) and
 * every event type the machine knows is asked `snapshot.can(...)`.
 */
import type { AnyStateMachine } from 'xstate';
import { isEnded } from '../../wire/contract/index.js';
import {
  restoreSnapshot,
  type SagaEngine,
  type SagaRecord,
  SAGA_SIGNALS,
  isReservedEventType,
} from '../engine/index.js';

export interface WaitingFor {
  summary: string[];
  events: string[];
  canCancel: boolean;
  canRetry: boolean;
}

/** Types `POST /v1/sagas/{id}/events` refuses: the engine's own and the `saga.*` signals. */
export function isSignalTypeReserved(type: string): boolean {
  return isReservedEventType(type) || type.startsWith('saga.');
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The machine the saga runs on (its own version, not the latest), if this process has it. */
function machineOf(engine: Pick<SagaEngine, 'definitionOf'>, record: SagaRecord) {
  return engine.definitionOf(record)?.machine;
}

function acceptedEvents(machine: AnyStateMachine, record: SagaRecord) {
  let snapshot;
  try {
    snapshot = restoreSnapshot(machine, record.snapshot, record.id);
  } catch {
    return { events: [], canCancel: false, canRetry: false };
  }
  const eventTypes: readonly string[] = machine.root.events;
  const known = [...new Set(eventTypes)].filter((t) => t !== '*' && !t.endsWith('.*'));
  const events = known
    .filter((type) => !isSignalTypeReserved(type))
    .filter((type) => snapshot.can({ type }))
    .sort();
  return {
    events,
    canCancel: snapshot.can({ type: SAGA_SIGNALS.cancel }),
    canRetry: record.status === 'parked' && snapshot.can({ type: SAGA_SIGNALS.retry }),
  };
}

export function waitingFor(
  engine: Pick<SagaEngine, 'definitionOf'>,
  record: SagaRecord,
): WaitingFor {
  if (isEnded(record.status)) {
    return { summary: [], events: [], canCancel: false, canRetry: false };
  }
  if (record.paused) {
    // A paused saga waits for its operator alone: it refuses events, cancel and retry until then.
    const { actor, reason } = record.paused;
    const held = record.paused.heldReplies.length;
    return {
      summary: [
        `an operator: paused by ${actor}${reason ? ` (${reason})` : ''} since ` +
          `${iso(record.paused.at)}; resume it (POST /v1/sagas/${record.id}/resume)` +
          (held > 0 ? `; ${held} repl${held === 1 ? 'y' : 'ies'} held` : ''),
      ],
      events: [],
      canCancel: false,
      canRetry: false,
    };
  }
  const machine = machineOf(engine, record);
  const accepted = machine
    ? acceptedEvents(machine, record)
    : { events: [], canCancel: false, canRetry: false };
  const summary = [
    ...record.pending.map(
      (c) =>
        `reply from ${c.participant} to ${c.command} (${c.kind === 'compensation' ? 'undoing ' : ''}` +
        `${c.step}, attempt ${c.attempt}) until ${iso(c.expiresAt)}`,
    ),
    ...record.timers.map((t) => `timer ${t.event.type} at ${iso(t.dueAt)}`),
    ...(accepted.events.length > 0
      ? [`an event: ${accepted.events.join(' or ')} (POST /v1/sagas/${record.id}/events)`]
      : []),
    ...(accepted.canRetry
      ? [`an operator: a compensation ran out of retries (POST /v1/sagas/${record.id}/retry)`]
      : []),
  ];
  return { summary, ...accepted };
}
