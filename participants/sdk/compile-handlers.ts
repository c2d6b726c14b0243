/**
 * Handlers as the command processor runs them: the function, and the payload schema compiled
 * once at start-up (a schema that does not compile stops the participant from starting).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from '../../wire/contract/index.js';
import {
  handlerParts,
  type HandlerContext,
  type HandlerResult,
  type ParticipantDefinition,
} from './define-participant.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface CompiledHandler {
  handle: (payload: JsonObject, ctx: HandlerContext) => Promise<HandlerResult>;
  validate: ValidateFunction | undefined;
}

/** Compiles every handler of `definition`, keyed by command type; throws on a bad schema. */
export function compileHandlers(definition: ParticipantDefinition): Map<string, CompiledHandler> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const compiled = new Map<string, CompiledHandler>();
  for (const [type, handler] of Object.entries(definition.handlers)) {
    const { handle, payloadSchema } = handlerParts(handler);
    let validate: ValidateFunction | undefined;
    try {
      validate = payloadSchema ? ajv.compile(payloadSchema) : undefined;
    } catch (error) {
      throw new Error(
        `participant "${definition.name}": the payload schema of ${type} does not compile: ` +
          (error as Error).message,
      );
    }
    compiled.set(type, { handle, validate });
  }
  return compiled;
}
