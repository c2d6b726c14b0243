/**
 * Parses and validates wire messages against the v1 JSON Schemas. Used by the orchestrator (replies,
 * start requests) and the participant SDK (commands) alike, so both sides agree on what is valid.
 * Size and depth are bounded first ({@link JsonLimits}): a message over a limit never reaches the
 * schema, the engine or the store.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import commandSchema from './schemas/v1/command.schema.json' with { type: 'json' };
import lifecycleEventSchema from './schemas/v1/lifecycle-event.schema.json' with { type: 'json' };
import replySchema from './schemas/v1/reply.schema.json' with { type: 'json' };
import requestSchema from './schemas/v1/request.schema.json' with { type: 'json' };
import { DLQ_ERROR_CODES, HEADERS } from './headers.js';
import { DEFAULT_JSON_LIMITS, depthProblem, type JsonLimits } from './json-limits.js';
import type {
  CommandMessage,
  LifecycleEventMessage,
  ReplyMessage,
  StartRequestMessage,
} from './messages.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  // The reply schema says `failure` requires `error` in an if/then that does not repeat its properties.
  strictRequired: false,
  allowUnionTypes: true,
});
addFormats(ajv, ['date-time']);

export const schemas = {
  command: commandSchema,
  reply: replySchema,
  request: requestSchema,
  lifecycleEvent: lifecycleEventSchema,
} as const;

export type Parsed<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      /**
       * The DLQ error code: `MALFORMED` (not JSON), `LIMIT_EXCEEDED` (too large or too deep) or
       * `SCHEMA_INVALID` (JSON, wrong shape).
       */
      code:
        | typeof DLQ_ERROR_CODES.malformed
        | typeof DLQ_ERROR_CODES.limitExceeded
        | typeof DLQ_ERROR_CODES.invalid;
      /** What is wrong, for the `dlq-reason` header and logs. */
      reason: string;
    };

/** Renders ajv's errors as one line a person can act on: `/items/0/quantity must be integer`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .slice(0, 5)
    .map((e) => {
      const where = e.instancePath || '(root)';
      if (e.keyword === 'required') {
        return `${where} must have property "${String(e.params.missingProperty)}"`;
      }
      if (e.keyword === 'additionalProperties') {
        return `${where} has unknown property "${String(e.params.additionalProperty)}"`;
      }
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

/**
 * A parse step: `(raw, limits?) => Parsed<T>`. `limits` defaults to {@link DEFAULT_JSON_LIMITS};
 * pass some of them to change only those.
 */
function parser<T>(validate: ValidateFunction, what: string) {
  return (raw: Buffer | string | null | undefined, limits?: Partial<JsonLimits>): Parsed<T> => {
    const { maxBytes, maxDepth } = { ...DEFAULT_JSON_LIMITS, ...limits };
    if (raw == null || raw.length === 0) {
      return { ok: false, code: DLQ_ERROR_CODES.malformed, reason: `${what}: empty value` };
    }
    const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
    if (bytes > maxBytes) {
      return {
        ok: false,
        code: DLQ_ERROR_CODES.limitExceeded,
        reason: `${what}: ${bytes} bytes, over the limit of ${maxBytes} bytes (maxBytes)`,
      };
    }
    let value: unknown;
    try {
      value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    } catch (error) {
      return {
        ok: false,
        code: DLQ_ERROR_CODES.malformed,
        reason: `${what}: not JSON (${(error as Error).message})`,
      };
    }
    const tooDeep = depthProblem(value, { maxDepth });
    if (tooDeep) {
      return { ok: false, code: DLQ_ERROR_CODES.limitExceeded, reason: `${what}: ${tooDeep}` };
    }
    if (!validate(value)) {
      return {
        ok: false,
        code: DLQ_ERROR_CODES.invalid,
        reason: `${what}: ${describeErrors(validate.errors)}`,
      };
    }
    return { ok: true, value: value as T };
  };
}

export const parseCommand = parser<CommandMessage>(ajv.compile(commandSchema), 'command');
export const parseReply = parser<ReplyMessage>(ajv.compile(replySchema), 'reply');
export const parseStartRequest = parser<StartRequestMessage>(
  ajv.compile(requestSchema),
  'start request',
);
export const parseLifecycleEvent = parser<LifecycleEventMessage>(
  ajv.compile(lifecycleEventSchema),
  'lifecycle event',
);

/**
 * Why a reply's headers disagree with its value, or undefined when they agree. The `saga-id`
 * header is optional, but when present it must name the saga the value names: a tool that
 * routes or traces by header would otherwise act on another saga than the one the reply moves.
 */
export function replyHeadersProblem(
  headers: Readonly<Record<string, string>>,
  reply: Pick<ReplyMessage, 'sagaId'>,
): string | undefined {
  const sagaId = headers[HEADERS.sagaId];
  if (sagaId !== undefined && sagaId !== reply.sagaId) {
    return `reply: header ${HEADERS.sagaId} "${sagaId}" disagrees with sagaId "${reply.sagaId}"`;
  }
  return undefined;
}
