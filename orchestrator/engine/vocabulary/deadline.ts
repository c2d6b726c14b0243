/**
 * `sagaDeadline()`: a deadline over several steps (a saga-level deadline). It wraps a state of
 * your own — a compound state with the steps inside, a parallel state, a single step — and when
 * the wrapped state is still active once the deadline passes, the saga stops going forward: the
 * failure is recorded (`SAGA_DEADLINE` by default) and the saga compensates what was done, the
 * steps still in flight included (their outcome is unknown).
 *
 * ```
 * <wrapped state>          entry: …your own, then raise saga.deadline.<name> after <ms>
 *                                 (timer id saga.deadline.<name>)
 *                          exit:  …your own, then cancel saga.deadline.<name>
 *   on saga.deadline.<name> → #compensating (saga.recordFailure SAGA_DEADLINE)
 * ```
 *
 * Why not an `after` with a number: XState names such a timer after its length
 * (`xstate.after.30000.<state>`), so a saga waiting on it when the deadline's length changes
 * would never see its timer fire. This timer is named after the deadline (`saga.deadline.<name>`)
 * whatever its length, so a new length applies to sagas that enter the state from then on and
 * the ones already waiting keep theirs. The event type starts with `saga.deadline.`, which is
 * reserved: no signal can forge it.
 */
import { cancel, raise, type AnyEventObject, type AnyStateNode, type EventObject } from 'xstate';
import type { SagaContext, SagaFailure } from './context.js';
import {
  erasedSagaSetup,
  typedStateConfig,
  type ErasedStateConfig,
  type SagaStateConfig,
} from './kit-setup.js';
import { SAGA_STATE_IDS, STEP_NAME_PATTERN } from './names.js';

/** The default failure code a passed saga-level deadline records. */
export const SAGA_DEADLINE_CODE = 'SAGA_DEADLINE';

/** The event type, and the durable timer's id, of the deadline called `name`. */
export const sagaDeadlineEventType = (name: string) => `saga.deadline.${name}` as const;

export interface DeadlineOptions<TInput> {
  /**
   * Names the deadline's timer (`saga.deadline.<name>`) and its event: an identifier (letters,
   * digits, `_`, `-`), unique in the saga.
   */
  name: string;
  /**
   * How long the wrapped state may stay active, in ms: a number, or read from the saga's context
   * when the state is entered (e.g. from the input).
   */
  ms: number | ((context: SagaContext<TInput>) => number);
  /** Where the saga goes when the deadline passes (a state id). @default '#compensating' */
  onExpiry?: `#${string}`;
  /** The failure code recorded. @default 'SAGA_DEADLINE' */
  code?: string;
  description?: string;
}

/** The `meta.sagaDeadline` a wrapped state carries, for the visualizer and the API. */
export interface SagaDeadlineMeta {
  kind: 'deadline';
  name: string;
  timerId: string;
  /** Null when the length is read from the context. */
  ms: number | null;
  onExpiry: string;
}

/** Whether `node` is a state `sagaDeadline()` wrapped (for the definition lint and tools). */
export function hasSagaDeadline(node: Pick<AnyStateNode, 'meta'>): boolean {
  const meta: unknown = (node.meta as { sagaDeadline?: unknown } | undefined)?.sagaDeadline;
  return (meta as Partial<SagaDeadlineMeta> | undefined)?.kind === 'deadline';
}

const toArray = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as T[])] : [value as T];

/** A length that is not a positive number is a definition bug. */
function checkedLength(name: string, ms: unknown): number {
  if (!(typeof ms === 'number' && ms > 0 && Number.isFinite(ms))) {
    throw new Error(`saga deadline "${name}": ms must be a positive number, got ${String(ms)}`);
  }
  return ms;
}

function lengthOf<TInput>(options: DeadlineOptions<TInput>, context: SagaContext<unknown>): number {
  const ms =
    typeof options.ms === 'number' ? options.ms : options.ms(context as SagaContext<TInput>);
  return checkedLength(options.name, ms);
}

/**
 * Puts a saga-level deadline on `state` (see the file comment). `state` keeps everything it
 * has: its own entry and exit actions run first, its own `on` stays (the deadline adds one event).
 *
 * @example
 * ```ts
 * booking: kit.deadline(
 *   { name: 'booking', ms: 60_000 },
 *   { initial: 'hotel', states: { hotel: {…}, flight: {…}, done: { type: 'final' } }, onDone: 'charge' },
 * ),
 * ```
 */
export function sagaDeadline<
  TInput,
  TSignals extends EventObject = never,
  TEmitted extends EventObject = AnyEventObject,
>(
  options: DeadlineOptions<TInput>,
  state: SagaStateConfig<TInput, TSignals, TEmitted>,
): SagaStateConfig<TInput, TSignals, TEmitted> {
  const { name } = options;
  if (!STEP_NAME_PATTERN.test(name)) {
    throw new Error(
      `saga deadline name "${name}" is not usable: use letters, digits, '_' or '-', starting with a letter`,
    );
  }
  if (typeof options.ms === 'number') checkedLength(name, options.ms);
  const eventType = sagaDeadlineEventType(name);
  const onExpiry = options.onExpiry ?? `#${SAGA_STATE_IDS.compensating}`;
  // The vocabulary's configs are written against the erased setup (see kit-setup.ts).
  const wrapped = state as unknown as ErasedStateConfig;
  if (wrapped.on && eventType in wrapped.on) {
    throw new Error(`saga deadline "${name}": the wrapped state already handles ${eventType}`);
  }
  const meta: SagaDeadlineMeta = {
    kind: 'deadline',
    name,
    timerId: eventType,
    ms: typeof options.ms === 'number' ? options.ms : null,
    onExpiry,
  };
  const failure = (context: SagaContext<unknown>): SagaFailure => ({
    code: options.code ?? SAGA_DEADLINE_CODE,
    message: `deadline "${name}" passed (${lengthOf(options, context)} ms)`,
  });

  const config: ErasedStateConfig = erasedSagaSetup.createStateConfig({
    ...wrapped,
    ...(options.description ? { description: options.description } : {}),
    meta: { ...(wrapped.meta ?? {}), sagaDeadline: meta },
    entry: [
      ...toArray(wrapped.entry),
      raise(
        { type: eventType },
        { id: eventType, delay: ({ context }) => lengthOf(options, context) },
      ),
    ],
    exit: [...toArray(wrapped.exit), cancel(eventType)],
    on: {
      ...(wrapped.on ?? {}),
      [eventType]: {
        target: onExpiry,
        actions: { type: 'saga.recordFailure', params: ({ context }) => failure(context) },
      },
    },
  });
  return typedStateConfig<TInput, TSignals, TEmitted>(config);
}
