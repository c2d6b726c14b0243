/**
 * Drives one order saga through the real engine and tells a {@link RuntimeHooks} what the runtime
 * would: `sagaTrace` before the start, `outgoingHeaders` for every message a step sends,
 * `stepWritten` after every applied step. Records pass through JSON as the store would.
 */
import { createEngine } from '../../../orchestrator/engine/create-engine.js';
import { failureReply, successReply } from '../../../orchestrator/engine/testing/simulator.js';
import type {
  Effect,
  PendingCommand,
  SagaEngine,
  SagaEvent,
  SagaRecord,
} from '../../../orchestrator/engine/types.js';
import type { RuntimeHooks } from '../../../orchestrator/telemetry/runtime-hooks.js';
import type { MessageHeaders } from '../../../wire/transport/ports.js';
import orderSaga, { type OrderInput } from '../../../sagas/order/index.js';

export const order: OrderInput = {
  orderId: 'order-1',
  customerId: 'customer-1',
  items: [{ sku: 'sku-a', quantity: 2 }],
  amount: 120,
  currency: 'EUR',
};

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class SagaDriver {
  record: SagaRecord;
  now: number;
  /** Headers of every command sent, by command id. */
  readonly commandHeaders = new Map<string, MessageHeaders>();
  readonly lifecycleHeaders: MessageHeaders[] = [];
  private readonly engine: SagaEngine;

  constructor(
    private hooks: RuntimeHooks,
    options: {
      sagaId?: string;
      now?: number;
      input?: OrderInput;
      startHeaders?: MessageHeaders;
    } = {},
  ) {
    this.engine = createEngine([orderSaga]);
    this.now = options.now ?? Date.UTC(2026, 0, 1);
    const sagaId = options.sagaId ?? 'saga-1';
    const trace = hooks.sagaTrace?.({
      sagaId,
      sagaType: 'order',
      ...(options.startHeaders ? { headers: options.startHeaders } : {}),
    });
    const started = this.engine.start('order', {
      sagaId,
      input: options.input ?? order,
      now: this.now,
      ...(trace ? { trace } : {}),
    });
    if (started.outcome !== 'applied') throw new Error(started.message);
    this.record = clone(started.record);
    this.send(started.record, started.effects);
    hooks.stepWritten?.({
      after: this.record,
      effects: started.effects,
      at: this.now,
      ...(options.startHeaders ? { eventHeaders: options.startHeaders } : {}),
    });
  }

  /** Another process taking over: same stored record, other hooks. */
  moveTo(hooks: RuntimeHooks): void {
    this.hooks = hooks;
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  pending(step: string, kind: 'action' | 'compensation' = 'action'): PendingCommand {
    const command = this.record.pending.find((c) => c.step === step && c.kind === kind);
    if (!command) throw new Error(`no pending ${kind} for ${step} in ${this.record.state}`);
    return command;
  }

  succeed(step: string, headers?: MessageHeaders, kind: 'action' | 'compensation' = 'action') {
    const reply = successReply(this.pending(step, kind), this.record.id, {});
    return this.apply({ kind: 'reply', reply }, headers);
  }

  fail(step: string, code: string, retryable = false, headers?: MessageHeaders) {
    const reply = failureReply(this.pending(step), this.record.id, { code, retryable });
    return this.apply({ kind: 'reply', reply }, headers);
  }

  /** Fires the earliest armed timer. */
  fireNextTimer() {
    const timer = [...this.record.timers].sort((a, b) => a.dueAt - b.dueAt)[0];
    if (!timer) throw new Error('no timer armed');
    this.now = Math.max(this.now, timer.dueAt);
    return this.apply({ kind: 'timer', timerId: timer.timerId, dueAt: timer.dueAt });
  }

  signal(type: string) {
    return this.apply({ kind: 'signal', event: { type } });
  }

  apply(event: SagaEvent, eventHeaders?: MessageHeaders) {
    const before = this.record;
    const result = this.engine.apply(before, event, this.now);
    if (result.outcome !== 'applied') {
      this.hooks.eventIgnored?.({
        sagaId: before.id,
        sagaType: before.type,
        event,
        reason: result.reason,
      });
      return result;
    }
    this.record = clone(result.record);
    this.send(result.record, result.effects);
    this.hooks.stepWritten?.({
      before,
      after: this.record,
      effects: result.effects,
      event,
      at: this.now,
      ...(eventHeaders ? { eventHeaders } : {}),
    });
    return result;
  }

  private send(record: SagaRecord, effects: readonly Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'command') {
        this.commandHeaders.set(
          effect.commandId,
          this.hooks.outgoingHeaders?.(record, effect) ?? {},
        );
      } else if (effect.type === 'lifecycle') {
        this.lifecycleHeaders.push(this.hooks.outgoingHeaders?.(record, effect) ?? {});
      }
    }
  }
}
