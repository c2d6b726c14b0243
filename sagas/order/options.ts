/**
 * The order saga's timings and threshold. The statechart is the same whatever they are (type
 * `order`, version `1`); only deadlines, retries and the approval rule change. Production runs
 * the defaults; tests and the demo build the same saga with short deadlines.
 */
import type { BackoffPolicy, RetryOptions } from '../../orchestrator/engine/vocabulary/index.js';

/** Orders above this amount wait for `order.approve` after the payment is authorized. */
export const APPROVAL_THRESHOLD = 10_000;
/** How long an order waits for approval before it is rejected. */
export const APPROVAL_TIMEOUT_MS = 15 * 60_000;
/** How long each step waits for the reply to one attempt. */
export const STEP_TIMEOUT_MS = 10_000;
/** Attempts and backoff of every forward step. */
export const ORDER_STEP_RETRY: Readonly<{ maxAttempts: number; backoff: BackoffPolicy }> = {
  maxAttempts: 3,
  backoff: { initialDelayMs: 500, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 },
};

export interface OrderSagaOptions {
  /** How long each step waits for the reply to one attempt, in ms. @default 10_000 */
  stepTimeoutMs?: number;
  /**
   * Attempts and backoff of every forward step; a partial backoff keeps the other defaults.
   * @default { maxAttempts: 3, backoff: { initialDelayMs: 500, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 } }
   */
  retry?: RetryOptions;
  /**
   * Deadline, attempts per round and backoff of every compensation.
   * @default the engine's: the step's timeout, 5 attempts, its default backoff
   */
  compensation?: { timeoutMs?: number; maxAttempts?: number; backoff?: Partial<BackoffPolicy> };
  /** How long an order above the threshold waits for approval, in ms. @default 900_000 (15 min) */
  approvalTimeoutMs?: number;
  /** Orders with an amount above this wait for `order.approve`. @default 10_000 */
  approvalThreshold?: number;
}

/** The options with every default filled in; make them with {@link compileOrderSagaOptions}. */
export interface CompiledOrderSagaOptions {
  stepTimeoutMs: number;
  retry: { maxAttempts: number; backoff: BackoffPolicy };
  compensation: { timeoutMs?: number; maxAttempts?: number; backoff?: Partial<BackoffPolicy> };
  approvalTimeoutMs: number;
  approvalThreshold: number;
}

/** Fills the defaults and checks the values; throws a RangeError naming the option. */
export function compileOrderSagaOptions(options: OrderSagaOptions = {}): CompiledOrderSagaOptions {
  const compiled: CompiledOrderSagaOptions = {
    stepTimeoutMs: options.stepTimeoutMs ?? STEP_TIMEOUT_MS,
    retry: {
      maxAttempts: options.retry?.maxAttempts ?? ORDER_STEP_RETRY.maxAttempts,
      backoff: { ...ORDER_STEP_RETRY.backoff, ...options.retry?.backoff },
    },
    compensation: { ...options.compensation },
    approvalTimeoutMs: options.approvalTimeoutMs ?? APPROVAL_TIMEOUT_MS,
    approvalThreshold: options.approvalThreshold ?? APPROVAL_THRESHOLD,
  };
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`order saga: ${name} must be a number > 0, got ${value}`);
    }
  };
  const attempts = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`order saga: ${name} must be a whole number >= 1, got ${value}`);
    }
  };
  positive('stepTimeoutMs', compiled.stepTimeoutMs);
  positive('approvalTimeoutMs', compiled.approvalTimeoutMs);
  positive('compensation.timeoutMs', compiled.compensation.timeoutMs);
  attempts('retry.maxAttempts', compiled.retry.maxAttempts);
  attempts('compensation.maxAttempts', compiled.compensation.maxAttempts);
  if (!(Number.isFinite(compiled.approvalThreshold) && compiled.approvalThreshold >= 0)) {
    throw new RangeError(
      `order saga: approvalThreshold must be a number >= 0, got ${compiled.approvalThreshold}`,
    );
  }
  return compiled;
}
