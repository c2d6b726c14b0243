/**
 * A saga simulator for tests: drives one saga through the real engine with a fake clock, the way
 * the runtime would (every record goes through JSON before the next step), with no Kafka, Redis
 * or timers. Replies are sent to pending commands by step name; `advance()` fires due timers in
 * order.
 *
 * It also fails a step that the runtime would run differently depending on where the record came
 * from. The runtime continues a saga it has just written from the live snapshot in memory (no
 * copy), and one it loads from Redis from the JSON text: the two agree only while the context is
 * plain JSON and nothing changes a stored context in place. So every step's context is checked
 * for values JSON would change (`undefined`, a `Date`, a class instance…), and the record a step
 * was given must be unchanged after it.
 *
 * @example
 * ```ts
 * const sim = simulateSaga(orderSaga, input);
 * sim.succeed('reserveInventory', { reservationId: 'r-1' });
 * sim.fail('authorizePayment', { code: 'CARD_DECLINED' });
 * sim.succeedCompensation();
 * expect(sim.status).to.equal('compensated');
 * ```
 */
import type { JsonObject, ReplyError, ReplyMessage } from '../../../wire/contract/index.js';
import { createEngine } from '../create-engine.js';
import { jsonInstability } from '../json-text.js';
import type {
  AppliedStep,
  CommandEffect,
  Effect,
  EpochMs,
  HistoryEntry,
  LifecycleEffect,
  PendingCommand,
  SagaDefinition,
  SagaEngine,
  SagaEvent,
  SagaRecord,
  SagaStatus,
  StepResult,
} from '../types.js';

export interface SimulatorOptions {
  /** @default 'saga-1' */
  sagaId?: string;
  /** The fake clock's start. @default 1_767_225_600_000 (2026-01-01T00:00:00Z) */
  startAt?: EpochMs;
  idempotencyKey?: string;
  /** An engine with more definitions; by default one with just this definition. */
  engine?: SagaEngine;
  /** Pass every record through JSON, as the store does. @default true */
  roundTrip?: boolean;
}

/** One call into the engine, kept so a run can be replayed. */
export interface SimulatedCall {
  event: SagaEvent;
  now: EpochMs;
  result: StepResult;
}

type Kind = 'action' | 'compensation';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class SagaSimulation {
  record: SagaRecord;
  now: EpochMs;
  /** The start's result (revision 1). */
  readonly started: AppliedStep;
  /** Every `apply` after the start, ignored ones included. */
  readonly calls: SimulatedCall[] = [];
  readonly effects: Effect[] = [];
  readonly history: HistoryEntry[] = [];

  constructor(
    private readonly engine: SagaEngine,
    readonly definition: SagaDefinition,
    readonly input: unknown,
    private readonly options: SimulatorOptions,
  ) {
    this.now = options.startAt ?? 1_767_225_600_000;
    const started = engine.start(definition.type, {
      sagaId: options.sagaId ?? 'saga-1',
      input,
      now: this.now,
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    });
    if (started.outcome === 'rejected') throw new Error(started.message);
    this.started = started;
    assertPlainContext(started.record);
    this.record = this.stored(started.record);
    this.effects.push(...started.effects);
    this.history.push(...started.history);
  }

  get status(): SagaStatus {
    return this.record.status;
  }

  get state(): string {
    return this.record.state;
  }

  get pending(): PendingCommand[] {
    return this.record.pending;
  }

  /** The statechart's context as stored. */
  get context(): JsonObject {
    return (this.record.snapshot.context ?? {}) as JsonObject;
  }

  /** Every command sent so far, optionally only one kind. */
  commands(kind?: Kind): CommandEffect[] {
    return this.effects.filter(
      (e): e is CommandEffect => e.type === 'command' && (kind === undefined || e.kind === kind),
    );
  }

  /** `participant.Command` of every compensation sent, in order (retries included). */
  compensationsSent(): string[] {
    return this.commands('compensation').map((c) => `${c.participant}.${c.command}`);
  }

  lifecycle(): LifecycleEffect[] {
    return this.effects.filter((e): e is LifecycleEffect => e.type === 'lifecycle');
  }

  lifecycleNames(): string[] {
    return this.lifecycle().map((e) => String(e.event));
  }

  /** The pending command of `step` (for a compensation: the step it undoes); throws if none. */
  pendingCommand(step: string, kind: Kind = 'action'): PendingCommand {
    const command = this.record.pending.find((c) => c.step === step && c.kind === kind);
    if (!command) {
      const pending = this.record.pending.map((c) => `${c.kind}:${c.step}`).join(', ');
      throw new Error(
        `no pending ${kind} for ${step} in ${this.state} (pending: ${pending || 'none'})`,
      );
    }
    return command;
  }

  /** The one pending compensation; throws if there is none. */
  pendingCompensation(): PendingCommand {
    const command = this.record.pending.find((c) => c.kind === 'compensation');
    if (!command) throw new Error(`no pending compensation in ${this.state}`);
    return command;
  }

  /** Applies any event (a reply, a timer, a signal) at the current time. */
  apply(event: SagaEvent): StepResult {
    const given = JSON.stringify(this.record);
    const record =
      this.options.roundTrip === false ? this.record : (JSON.parse(given) as SagaRecord);
    const result = this.engine.apply(record, clone(event), this.now);
    if (JSON.stringify(record) !== given) {
      throw new Error(
        `saga ${record.id}: the step changed the record it was given (in ${record.state}); a definition must return new context values (assign), never change the context in place`,
      );
    }
    this.calls.push({ event: clone(event), now: this.now, result });
    if (result.outcome === 'applied') {
      assertPlainContext(result.record);
      this.record = this.stored(result.record);
      this.effects.push(...result.effects);
      this.history.push(...result.history);
    }
    return result;
  }

  reply(reply: ReplyMessage): StepResult {
    return this.apply({ kind: 'reply', reply });
  }

  /** Replies `success` to a pending command (by default the step's action). */
  succeed(step: string, payload: JsonObject = {}, kind: Kind = 'action'): StepResult {
    return this.reply(successReply(this.pendingCommand(step, kind), this.record.id, payload));
  }

  /** Replies `failure`; `retryable` defaults to false (a refusal). */
  fail(
    step: string,
    error: Partial<ReplyError> & { code: string },
    kind: Kind = 'action',
  ): StepResult {
    return this.reply(failureReply(this.pendingCommand(step, kind), this.record.id, error));
  }

  succeedCompensation(payload: JsonObject = {}): StepResult {
    return this.reply(successReply(this.pendingCompensation(), this.record.id, payload));
  }

  failCompensation(error: Partial<ReplyError> & { code: string }): StepResult {
    return this.reply(failureReply(this.pendingCompensation(), this.record.id, error));
  }

  signal(event: { type: string } & JsonObject): StepResult {
    return this.apply({ kind: 'signal', event });
  }

  fireTimer(timerId: string, dueAt?: EpochMs): StepResult {
    return this.apply({ kind: 'timer', timerId, ...(dueAt !== undefined ? { dueAt } : {}) });
  }

  /** Moves the clock by `ms`, firing every timer that falls due, in order, at its due time. */
  advance(ms: number): StepResult[] {
    const target = this.now + ms;
    const results: StepResult[] = [];
    for (;;) {
      const due = this.nextTimer();
      if (!due || due.dueAt > target) break;
      this.now = Math.max(this.now, due.dueAt);
      results.push(this.fireTimer(due.timerId, due.dueAt));
    }
    this.now = target;
    return results;
  }

  /** Moves the clock to the next armed timer and fires it; throws when none is armed. */
  advanceToNextTimer(): StepResult {
    const due = this.nextTimer();
    if (!due) throw new Error(`no timer armed in ${this.state}`);
    this.now = Math.max(this.now, due.dueAt);
    return this.fireTimer(due.timerId, due.dueAt);
  }

  private nextTimer() {
    let next: SagaRecord['timers'][number] | undefined;
    for (const timer of this.record.timers) if (!next || timer.dueAt < next.dueAt) next = timer;
    return next;
  }

  private stored(record: SagaRecord): SagaRecord {
    return this.options.roundTrip === false ? record : clone(record);
  }
}

/**
 * Throws when the context holds a value a trip through JSON would change: a saga continued in
 * memory would see it as it is, the same saga loaded from the store would not.
 */
function assertPlainContext(record: SagaRecord): void {
  const at = jsonInstability(record.snapshot.context);
  if (at !== undefined) {
    throw new Error(
      `saga ${record.id}: the context is not plain JSON at ${at.replace(/^\$/, 'context')} (in ${record.state}); store strings, numbers, booleans, null, arrays and plain objects only (no undefined, Date or class instances)`,
    );
  }
}

export function successReply(
  command: PendingCommand,
  sagaId: string,
  payload: JsonObject = {},
): ReplyMessage {
  return {
    commandId: command.commandId,
    sagaId,
    type: command.command,
    outcome: 'success',
    payload,
  };
}

export function failureReply(
  command: PendingCommand,
  sagaId: string,
  error: Partial<ReplyError> & { code: string },
): ReplyMessage {
  return {
    commandId: command.commandId,
    sagaId,
    type: command.command,
    outcome: 'failure',
    error: {
      message: error.message ?? error.code,
      retryable: error.retryable ?? false,
      code: error.code,
    },
  };
}

/** Starts a simulated saga of `definition` with `input`; throws when the input is rejected. */
export function simulateSaga(
  definition: SagaDefinition,
  input: unknown,
  options: SimulatorOptions = {},
): SagaSimulation {
  const engine = options.engine ?? createEngine([definition]);
  return new SagaSimulation(engine, definition, input, options);
}
