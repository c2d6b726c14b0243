/**
 * `defineSaga()`: a `SagaDefinition` from a machine built with the kit, with early checks that
 * catch authoring mistakes when the module loads rather than when a saga runs.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { contractsOf } from '../contracts.js';
import { compileSignals } from '../signals.js';
import type { InputCheck, SagaDefinition } from '../types.js';
import { inputChecker } from './input-check.js';
import { SAGA_STATE_IDS, stepTimeoutDelay } from './names.js';
import { sagaStepsOf } from './introspect.js';
import type { SignalContracts } from './signal-contract.js';
import type { SagaMigration } from './define-migration.js';

export interface DefineSagaOptions<TInput> {
  type: string;
  version: string;
  description?: string;
  machine: AnyStateMachine;
  /** A JSON Schema for the input, or a check of your own. */
  input:
    | { schema: Record<string, unknown>; refine?: (input: TInput) => string[] }
    | { check: (input: unknown) => InputCheck<TInput> };
  /**
   * The signals (external events) the saga accepts, by event type: a description and a JSON Schema
   * of the event's fields besides `type`. A signal of a declared type is refused
   * (`EVENT_INVALID`, the API's 400) when its fields do not match; undeclared types pass unchecked.
   *
   * @example
   * ```ts
   * signals: {
   *   'order.reject': {
   *     description: 'An operator refuses the order; it is undone.',
   *     schema: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string' } } },
   *   },
   * }
   * ```
   */
  signals?: SignalContracts;
  /**
   * How sagas waiting on older versions move to this one (`defineMigration`, `to` this version);
   * an operator applies it with `saga definitions migrate`.
   */
  migrations?: readonly SagaMigration[];
}

/**
 * Builds and checks a definition: a usable type/version, unique step names, the end states, and
 * step schemas (`payloadSchema`, `replySchema`) that compile, and signals that some state
 * accepts, that are not reserved, and whose schemas compile.
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
  const signals = options.signals
    ? compileSignals(options.type, provided, options.signals)
    : undefined;
  for (const migration of options.migrations ?? [])
    checkMigrationTargets(options, provided, migration);
  return {
    type: options.type,
    version: options.version,
    ...(options.description ? { description: options.description } : {}),
    machine: provided,
    ...(signals ? { signals } : {}),
    checkInput,
    ...(options.migrations ? { migrations: options.migrations } : {}),
  };
}

/** A migration belongs to this type and version, and maps only into states the machine has. */
function checkMigrationTargets(
  options: { type: string; version: string },
  machine: AnyStateMachine,
  migration: SagaMigration,
): void {
  const name = `saga type "${options.type}" version ${options.version}: the migration from ${migration.from}`;
  if (migration.type !== options.type || migration.to !== options.version) {
    throw new Error(`${name} is for ${migration.type} ${migration.to}`);
  }
  for (const target of Object.values(migration.states)) {
    let node: AnyStateNode | undefined = machine.root;
    for (const segment of target.split('.')) node = node?.states[segment];
    if (!node) throw new Error(`${name} maps into "${target}", which is not a state`);
  }
}
