/**
 * `defineSaga()`: a `SagaDefinition` from a machine built with the kit, with early checks that
 * catch authoring mistakes when the module loads rather than when a saga runs.
 */
import type { AnyStateMachine } from 'xstate';
import { contractsOf } from '../contracts.js';
import type { InputCheck, SagaDefinition } from '../types.js';
import { inputChecker } from './input-check.js';
import { SAGA_STATE_IDS, stepTimeoutDelay } from './names.js';
import { sagaStepsOf } from './introspect.js';

export interface DefineSagaOptions<TInput> {
  type: string;
  version: string;
  description?: string;
  machine: AnyStateMachine;
  /** A JSON Schema for the input, or a check of your own. */
  input:
    | { schema: Record<string, unknown>; refine?: (input: TInput) => string[] }
    | { check: (input: unknown) => InputCheck<TInput> };
}

/**
 * Builds and checks a definition: a usable type/version, unique step names, the end states, and
 * step schemas (`payloadSchema`, `replySchema`) that compile.
 */
export function defineSaga<TInput>(options: DefineSagaOptions<TInput>): SagaDefinition<TInput> {
  if (!/^[a-z][a-z0-9-]*$/.test(options.type)) {
    throw new Error(`saga type "${options.type}": use lower-case letters, digits and '-'`);
  }
  if (options.version.trim() === '') throw new Error(`saga type "${options.type}": empty version`);
  const machine = options.machine;
  for (const id of Object.values(SAGA_STATE_IDS)) {
    try {
      machine.getStateNodeById(id);
    } catch {
      throw new Error(
        `saga type "${options.type}": missing the "${id}" state; spread kit.endStates into the root states`,
      );
    }
  }
  const steps = sagaStepsOf(machine); // throws on duplicate step names
  // Each step's deadline is a named delay (see stepTimeoutDelay); its length comes from the step.
  const provided = machine.provide({
    delays: Object.fromEntries(steps.map((s) => [stepTimeoutDelay(s.step), s.timeoutMs])),
  });
  contractsOf(provided); // compiles the steps' schemas once; throws on an unusable one
  const checkInput =
    'check' in options.input
      ? options.input.check
      : inputChecker<TInput>(options.input.schema, options.input.refine);
  return {
    type: options.type,
    version: options.version,
    ...(options.description ? { description: options.description } : {}),
    machine: provided,
    checkInput,
  };
}
