/**
 * The signal contracts of a definition, compiled once per definition: the engine checks a signal's
 * fields (the event without its `type`) against the schema its definition declares for that type
 * before the statechart sees it, so no guard or action ever reads a malformed event.
 *
 * A signal that does not match is the sender's fault: `EVENT_INVALID`, thrown with each violation,
 * nothing applied (the API answers 400 with them).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { AnyStateMachine } from 'xstate';
import type { JsonObject } from '../../wire/contract/index.js';
import { SagaEngineError } from './errors.js';
import type { SagaDefinition } from './types.js';
import type { SignalContracts } from './vocabulary/signal-contract.js';
import { isReservedEventType } from './vocabulary/names.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });

/** One way a signal's fields break its schema: where (a JSON Pointer, `/` for the event) and what. */
export interface SignalViolation {
  path: string;
  message: string;
}

/** `EVENT_INVALID`: a signal's fields do not match the schema its definition declares. */
export class SignalInvalidError extends SagaEngineError {
  constructor(
    message: string,
    readonly violations: readonly SignalViolation[],
    sagaId?: string,
  ) {
    super('EVENT_INVALID', message, sagaId);
  }
}

const compiledBySignals = new WeakMap<SignalContracts, ReadonlyMap<string, ValidateFunction>>();

/** Every event type some state of the machine (or the machine itself) has a transition for. */
function acceptedEventTypes(machine: AnyStateMachine): Set<string> {
  return new Set<string>(machine.root.events);
}

/**
 * Checks and compiles a definition's declared signals; throws at load, naming the saga and the
 * event type, when a type is reserved (`saga.*`, `xstate.*`, `step.*`, …), when no state of the
 * machine accepts it, when it has no description, or when its schema is not a usable JSON Schema.
 */
export function compileSignals(
  sagaType: string,
  machine: AnyStateMachine,
  declared: SignalContracts,
): SignalContracts {
  const accepted = acceptedEventTypes(machine);
  for (const [type, { description }] of Object.entries(declared)) {
    const where = `saga type "${sagaType}" signal "${type}"`;
    if (isReservedEventType(type) || type.startsWith('saga.')) {
      throw new Error(`${where}: the type is reserved for the engine; pick another name`);
    }
    if (!accepted.has(type)) {
      throw new Error(`${where}: no state of the statechart accepts it (a typo?)`);
    }
    if (typeof description !== 'string' || description.trim() === '') {
      throw new Error(`${where}: give it a description`);
    }
  }
  validatorsOf(sagaType, declared); // compiles once now, so a bad schema fails at load
  return declared;
}

function validatorsOf(
  sagaType: string,
  contracts: SignalContracts,
): ReadonlyMap<string, ValidateFunction> {
  const cached = compiledBySignals.get(contracts);
  if (cached) return cached;
  const compiled = new Map<string, ValidateFunction>();
  for (const [type, { schema }] of Object.entries(contracts)) {
    try {
      compiled.set(type, ajv.compile(schema));
    } catch (error) {
      throw new Error(
        `saga type "${sagaType}" signal "${type}": not a usable JSON Schema: ${(error as Error).message}`,
      );
    }
  }
  compiledBySignals.set(contracts, compiled);
  return compiled;
}

function violationOf(error: ErrorObject): SignalViolation {
  const path = error.instancePath || '/';
  switch (error.keyword) {
    case 'required':
      return { path, message: `must have property "${String(error.params.missingProperty)}"` };
    case 'additionalProperties':
      return {
        path,
        message: `has property "${String(error.params.additionalProperty)}" the signal does not declare`,
      };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/**
 * Throws `EVENT_INVALID` ({@link SignalInvalidError}) when the definition declares a schema for
 * the event's type and the event's other fields do not match it.
 */
export function checkSignalFields(
  definition: SagaDefinition,
  event: { type: string } & JsonObject,
  sagaId: string,
): void {
  if (!definition.signals) return;
  const validate = validatorsOf(definition.type, definition.signals).get(event.type);
  if (!validate) return;
  const { type, ...fields } = event;
  if (validate(fields)) return;
  const violations = (validate.errors ?? []).map(violationOf);
  const listed = violations.map((v) => `${v.path} ${v.message}`).join('; ');
  throw new SignalInvalidError(
    `signal ${type} does not match its schema in saga type ${definition.type} version ` +
      `${definition.version}: ${listed}`,
    violations,
    sagaId,
  );
}
