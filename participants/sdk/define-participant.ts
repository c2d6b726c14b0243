/**
 * How a participant is declared: its name (which names its command topic,
 * `<prefix>.<name>.commands`) and one handler per command type. A handler gets the command's
 * payload and a context, and returns the reply's payload; it throws a `BusinessError` to refuse
 * for good, anything else to have the command retried.
 */
import type { CommandMessage, JsonObject } from '../../wire/contract/index.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** What a handler returns: the success reply's payload (nothing gives a reply without one). */
export type HandlerResult = JsonObject | undefined | void;

/**
 * The handler's view of the command's ledger record, for handlers that keep their own state in
 * Redis and want their change and the record of the command in one transaction (exactly once in
 * effect: a crash between the two cannot happen). See `LEDGER_FIELDS` for the record's layout.
 *
 * @example
 * // In the handler's Lua script, with KEYS[n] = ctx.ledger.redisKey:
 * //   if redis.call('HGET', KEYS[n], 'state') == 'done' then return 'duplicate' end
 * //   ... apply the change ...
 * //   redis.call('HSET', KEYS[n], 'state', 'done', 'result', ARGV[m])  -- ctx.ledger.successResult(payload)
 * //   redis.call('PEXPIRE', KEYS[n], ARGV[m + 1])                        -- ctx.ledger.ttlMs
 */
export interface LedgerHandle {
  /** The Redis key of this command's record; undefined when the ledger is not in Redis. */
  readonly redisKey: string | undefined;
  /** How long the record is kept, in ms. */
  readonly ttlMs: number;
  /** The value of the record's `result` field for a success reply with `payload`. */
  successResult(payload?: JsonObject): string;
}

export interface HandlerContext {
  /** The participant's name. */
  readonly participant: string;
  /** The whole command (ids, attempt, deadline) for handlers that need more than the payload. */
  readonly command: Readonly<CommandMessage>;
  /** 1 on the first in-process try of this delivery, 2 on its first retry, … */
  readonly tryNumber: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the participant is stopping: long waits inside a handler should end early. */
  readonly signal: AbortSignal;
  readonly ledger: LedgerHandle;
}

/** A handler as a bare function. Annotate `payload` with the command's payload type. */
export type CommandHandlerFn<TPayload = JsonObject> = (
  payload: TPayload,
  ctx: HandlerContext,
) => Promise<HandlerResult>;

/** A handler with a JSON Schema for its payload. */
export interface CommandHandlerSpec<TPayload = JsonObject> {
  /**
   * A JSON Schema (draft 2020-12) for the payload. A command whose payload does not satisfy it is
   * dead-lettered with `SCHEMA_INVALID`; the handler only ever sees valid payloads.
   */
  payloadSchema?: object;
  handle: CommandHandlerFn<TPayload>;
}

/**
 * A handler of any payload type. `never` is the one parameter type every handler's parameter
 * accepts; the SDK calls a handler only with a payload its schema (if any) accepted.
 */
export type AnyCommandHandler = CommandHandlerFn<never> | CommandHandlerSpec<never>;

export interface ParticipantDefinition {
  /** Names the command topic `<prefix>.<name>.commands` and the default consumer group. */
  readonly name: string;
  /** One handler per command type (the command's `type`, e.g. `ReserveItems`). */
  readonly handlers: Readonly<Record<string, AnyCommandHandler>>;
}

const NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Declares a participant.
 *
 * @example
 * const inventory = defineParticipant({
 *   name: 'inventory',
 *   handlers: {
 *     ReserveItems: {
 *       payloadSchema: reserveItemsSchema,
 *       handle: async (payload: ReserveItems, ctx) => {
 *         if (!(await reserve(payload))) throw new BusinessError('OUT_OF_STOCK', '…');
 *         return { reservationId: `rsv-${payload.orderId}` };
 *       },
 *     },
 *   },
 * });
 */
export function defineParticipant<const T extends ParticipantDefinition>(definition: T): T {
  if (!NAME.test(definition.name)) {
    throw new Error(
      `participant name "${definition.name}" may only hold letters, digits, '_' and '-'`,
    );
  }
  const types = Object.keys(definition.handlers);
  if (types.length === 0) throw new Error(`participant "${definition.name}" has no handlers`);
  for (const type of types) {
    const handler = definition.handlers[type];
    if (typeof handler !== 'function' && typeof handler?.handle !== 'function') {
      throw new Error(`participant "${definition.name}": handler ${type} is not a function`);
    }
  }
  return definition;
}

/** The function and the payload schema of a handler, whichever form it was declared in. */
export function handlerParts(handler: AnyCommandHandler): {
  handle: (payload: JsonObject, ctx: HandlerContext) => Promise<HandlerResult>;
  payloadSchema: object | undefined;
} {
  // Safe by construction: the payload reaching `handle` has passed the handler's schema.
  if (typeof handler === 'function') {
    return {
      handle: handler as unknown as CommandHandlerFn<JsonObject>,
      payloadSchema: undefined,
    };
  }
  return {
    handle: handler.handle.bind(handler) as unknown as CommandHandlerFn<JsonObject>,
    payloadSchema: handler.payloadSchema,
  };
}
