/**
 * The engine's doors: what it takes in and what it gives back. The engine is pure,
 * `(definition, record, event, now) → StepResult`; the store persists a StepResult atomically and
 * the transport publishes its commands. Nothing here does I/O or reads a clock.
 */
import type { AnyStateMachine } from 'xstate';
import type {
  JsonObject,
  LifecycleEventName,
  ReplyMessage,
  SagaStatus,
} from '../../wire/contract/index.js';
import type { SignalContracts } from './vocabulary/signal-contract.js';
import type { SagaMigration } from './vocabulary/define-migration.js';

export type { SagaStatus } from '../../wire/contract/index.js';

/** An instant as milliseconds since the epoch: the engine is told the time, it never reads it. */
export type EpochMs = number;

/** Whether a value is a valid saga input, and what is wrong with it when it is not. */
export type InputCheck<TInput> = { ok: true; value: TInput } | { ok: false; errors: string[] };

/**
 * A saga definition as the architect writes it in `sagas/<name>/`: a plain XState v5 machine
 * built with the vocabulary of `orchestrator/engine` (so the Stately visualizer can open it), a
 * name, a version, and an input check.
 */
export interface SagaDefinition<TInput = unknown> {
  /** The saga type, used in the API and on the wire (`sagaType`), e.g. `order`. */
  readonly type: string;
  /** Changes whenever the statechart changes shape; stored with every saga it starts. */
  readonly version: string;
  readonly description?: string;
  readonly machine: AnyStateMachine;
  /**
   * The signals (external events) the saga declares, with the schema of their fields: the engine
   * refuses a signal of a declared type whose fields do not match (`EVENT_INVALID`). A type not
   * listed here is sent to the statechart unchecked.
   */
  readonly signals?: SignalContracts;
  /** Validates (and may normalise) the input before a saga starts. */
  checkInput(input: unknown): InputCheck<TInput>;
  /**
   * How sagas of older versions move to this one (`defineMigration`), applied by an operator
   * (`saga definitions migrate`). Absent: sagas stay on the version that started them.
   */
  readonly migrations?: readonly SagaMigration[];
}

/** A command the statechart sent and whose reply it still waits for. */
export interface PendingCommand {
  commandId: string;
  /** The step (or, for a compensation, the step it undoes). */
  step: string;
  participant: string;
  /** The command type, e.g. `ReserveItems`. */
  command: string;
  kind: 'action' | 'compensation';
  attempt: number;
  issuedAt: EpochMs;
  expiresAt: EpochMs;
}

/** A durable timer the statechart armed with `after`, fed back as its event when due. */
export interface ArmedTimer {
  /** XState's send id of the delayed event, e.g. `xstate.after.stepTimeout.order.reserve.attempt`. */
  timerId: string;
  dueAt: EpochMs;
  /** The event to feed back, e.g. `{ type: 'xstate.after.stepTimeout.order.reserve.attempt' }`. */
  event: { type: string } & JsonObject;
}

/** The engine-visible part of a stored saga. */
export interface SagaRecord {
  id: string;
  type: string;
  definitionVersion: string;
  /**
   * Optimistic-concurrency counter: 1 after start, +1 for every applied step. (Not the
   * definition's version, `definitionVersion`.)
   */
  revision: number;
  status: SagaStatus;
  /** The statechart state as a dotted path; parallel regions joined with `,`. */
  state: string;
  /** XState's persisted snapshot (JSON), restored with the definition's machine. */
  snapshot: JsonObject;
  pending: PendingCommand[];
  timers: ArmedTimer[];
  createdAt: EpochMs;
  updatedAt: EpochMs;
  idempotencyKey?: string;
  /**
   * When the saga entered its current `state` (the `updatedAt` of the step that changed it);
   * telemetry measures the time spent in each state from it. Absent on records written before
   * the field existed.
   */
  stateEnteredAt?: EpochMs;
  /**
   * The saga's trace (W3C context of its root span), chosen by telemetry when it starts and
   * kept for its whole life, so every instance, after any restart, continues the one trace.
   * Absent when tracing is off.
   */
  trace?: SagaTraceContext;
  /**
   * Present while an operator has the saga paused: it sends no command and fires no timer, and
   * replies that arrive are held here and applied, in arrival order, when it is resumed.
   */
  paused?: SagaPause;
}

/**
 * Who asked for an operator action (cancel, retry, signal, pause, resume) and why: the API takes
 * them from the `Saga-Actor` / `Saga-Reason` headers, the role from the caller's token. Written
 * into the saga's history (`kind: 'operator'`).
 */
export interface OperatorAudit {
  /** Who, free text (a name, an email); the role's name when the caller gave none. */
  actor: string;
  /** Why, free text. */
  reason?: string;
  role: 'operator';
}

/** A paused saga's pause: when and by whom, and the replies held until it resumes. */
export interface SagaPause {
  at: EpochMs;
  actor: string;
  reason?: string;
  role: OperatorAudit['role'];
  /** Replies that arrived while paused, oldest first; applied on resume. */
  heldReplies: ReplyMessage[];
}

/** W3C trace context (`traceparent`, `tracestate`) as carried in message headers. */
export interface SagaTraceContext {
  traceparent: string;
  tracestate?: string;
}

/**
 * What can happen to a running saga: a reply, a due timer or a signal. (Not the business input a
 * saga starts with, `StartOptions.input`.)
 */
export type SagaEvent =
  | { kind: 'reply'; reply: ReplyMessage }
  | {
      kind: 'timer';
      timerId: string;
      /**
       * The `dueAt` the timer was claimed with, when known. A timer that was re-armed since (a
       * retry re-entered its state) then no longer matches and the stale firing is ignored.
       */
      dueAt?: EpochMs;
    }
  /**
   * An event from outside (the API, an operator). Reserved types: `saga.cancel` (run the
   * compensations, end `cancelled`) and `saga.retry` (a parked saga tries its compensation again).
   */
  | {
      kind: 'signal';
      event: { type: string } & JsonObject;
      /** Given when an operator sent it: the history line says who and why. */
      audit?: OperatorAudit;
    }
  /**
   * An operator pauses the saga (see `SagaRecord.paused`): its timers are taken out of the
   * store's timer set and its commands not yet published are held back (the runtime's write).
   */
  | { kind: 'pause'; audit: OperatorAudit }
  /**
   * An operator resumes a paused saga: its timers and pending deadlines move later by the time it
   * was paused, and the replies it held are applied in arrival order.
   */
  | { kind: 'resume'; audit: OperatorAudit }
  /**
   * An operator moves the saga to version `to` of its type with the migration `to` declares
   * (migrate-saga.ts); a saga that cannot move is `ignored` (`migration-refused`, the detail
   * says why).
   */
  | { kind: 'migrate'; to: string; audit: OperatorAudit };

/** A command to publish on `<prefix>.<participant>.commands`. */
export interface CommandEffect {
  type: 'command';
  commandId: string;
  sagaId: string;
  sagaType: string;
  participant: string;
  command: string;
  step: string;
  kind: 'action' | 'compensation';
  payload: JsonObject;
  attempt: number;
  issuedAt: EpochMs;
  expiresAt: EpochMs;
}

/** A lifecycle event to publish on `<prefix>.events`. */
export interface LifecycleEffect {
  type: 'lifecycle';
  event: LifecycleEventName | (string & {});
  data: JsonObject;
}

/**
 * What a step sends, in the order the statechart produced it. Timers are not effects: the step's
 * record carries the timers armed after it (`SagaRecord.timers`), and the runtime sets and
 * cancels the difference from the record before, so a timer set and cancelled within one write
 * never reaches the store.
 */
export type Effect = CommandEffect | LifecycleEffect;

/**
 * What a history line records. `operator`: an operator's action, whose `data` is
 * `{ action, actor, reason?, role }` (see `operatorEntry`).
 */
export const HISTORY_ENTRY_KINDS = [
  'started',
  'command',
  'reply',
  'timer',
  'signal',
  'transition',
  'ignored',
  'operator',
] as const;

/** One line of a saga's history, for operators (the API shows them). */
export interface HistoryEntry {
  at: EpochMs;
  kind: (typeof HISTORY_ENTRY_KINDS)[number];
  /** Short human-readable line, e.g. `reserveInventory: ReserveItems → inventory (attempt 1)`. */
  summary: string;
  step?: string;
  commandId?: string;
  from?: string;
  to?: string;
  data?: JsonObject;
}

export type StepResult =
  | {
      outcome: 'applied';
      /** The next record: `revision` is the previous one + 1 (1 for a new saga). */
      record: SagaRecord;
      effects: Effect[];
      history: HistoryEntry[];
    }
  | {
      /** Nothing changes and nothing is written (a duplicate, a late reply, a dropped timer…). */
      outcome: 'ignored';
      reason: IgnoredReason;
      /** Optional note for the history/logs. */
      detail?: string;
    };

export type IgnoredReason =
  /** A reply whose commandId is not pending (duplicate, or late after a timeout/retry). */
  | 'not-pending'
  /** A timer that is no longer armed (the saga left the state that set it). */
  | 'timer-not-armed'
  /** An external event the statechart does not accept in its current state. */
  | 'event-not-accepted'
  /** The saga has ended; nothing moves it any more. */
  | 'saga-ended'
  /**
   * The saga is paused: a timer or a signal is not applied (a pause of a paused saga changes
   * nothing either). Replies are held instead (`SagaRecord.paused`).
   */
  | 'saga-paused'
  /** A resume of a saga that is not paused: nothing to do. */
  | 'not-paused'
  /** A migration that does not apply to the saga as it is now (the detail says why). */
  | 'migration-refused';

/** What `SagaEngine.start` needs. */
export interface StartOptions {
  sagaId: string;
  /**
   * Checked with the definition's `checkInput` first. Kept by reference in the saga's context
   * when it is plain JSON (copied through JSON otherwise): do not change it afterwards.
   */
  input: unknown;
  now: EpochMs;
  idempotencyKey?: string;
  /** The trace the saga joins (see `SagaRecord.trace`); kept on every later record. */
  trace?: SagaTraceContext;
}

/** `start` could not start a saga; nothing is written. */
export interface StartRejected {
  outcome: 'rejected';
  /** `UNKNOWN_TYPE`: no definition of that type (404); `INVALID_INPUT`: see `errors` (400). */
  code: 'UNKNOWN_TYPE' | 'INVALID_INPUT';
  /** One line, e.g. `invalid input for order: /items must NOT have fewer than 1 items`. */
  message: string;
  errors: string[];
}

export type AppliedStep = Extract<StepResult, { outcome: 'applied' }>;

export type StartResult = AppliedStep | StartRejected;

/**
 * The pure engine (`createEngine(definitions)`). It never reads a clock, does no I/O and draws no
 * random numbers: the same record, event and `now` always give the same result.
 */
export interface SagaEngine {
  /** Starts a saga: revision 1 of its record, its first commands, timers and lifecycle events. */
  start(type: string, options: StartOptions): StartResult;
  /** Applies a reply, a due timer, a signal, a pause or a resume to a stored saga. */
  apply(record: SagaRecord, event: SagaEvent, now: EpochMs): StepResult;
  /** The definition new sagas of `type` start on. */
  definition(type: string): SagaDefinition | undefined;
  /** The definition new sagas start on, of every type. */
  definitions(): SagaDefinition[];
  /** The definition a stored saga runs on (its own version); undefined when it is gone. */
  definitionOf(record: Pick<SagaRecord, 'type' | 'definitionVersion'>): SagaDefinition | undefined;
  /** Every registered version of `type`, oldest first. */
  versions(type: string): SagaDefinition[];
}
