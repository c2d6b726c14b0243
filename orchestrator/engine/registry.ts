/**
 * The definitions an engine runs, by type and version. A saga runs to its end on the version that
 * started it, so old versions stay registered while sagas on them are alive; new sagas start on
 * the last version given for a type.
 */
import { contractsOf } from './contracts.js';
import { SagaEngineError } from './errors.js';
import { compileSignals } from './signals.js';
import { assertStepDeadlinesProvided } from './step-deadlines.js';
import type { SagaDefinition } from './types.js';

export interface DefinitionRegistry {
  /** The version new sagas of `type` start on. */
  latest(type: string): SagaDefinition | undefined;
  /** The definition a stored saga runs on; throws `DEFINITION_NOT_FOUND` when it is gone. */
  forRecord(type: string, version: string, sagaId: string): SagaDefinition;
  /** The latest version of every type, in registration order. */
  all(): SagaDefinition[];
}

export function createRegistry(definitions: readonly SagaDefinition[]): DefinitionRegistry {
  const byKey = new Map<string, SagaDefinition>();
  const latest = new Map<string, SagaDefinition>();
  for (const definition of definitions) {
    assertStepDeadlinesProvided(definition);
    const key = `${definition.type}@${definition.version}`;
    if (byKey.has(key)) {
      throw new Error(
        `saga definition ${definition.type} version ${definition.version} is registered twice`,
      );
    }
    contractsOf(definition.machine); // compiles its schemas once; throws on an unusable one
    // A definition not built by defineSaga gets the same signal checks at load, not at first use.
    if (definition.signals) {
      compileSignals(definition.type, definition.machine, definition.signals);
    }
    byKey.set(key, definition);
    latest.set(definition.type, definition);
  }
  return {
    latest: (type) => latest.get(type),
    forRecord(type, version, sagaId) {
      const definition = byKey.get(`${type}@${version}`);
      if (!definition) {
        throw new SagaEngineError(
          'DEFINITION_NOT_FOUND',
          `no saga definition ${type} version ${version} (saga ${sagaId})`,
          sagaId,
        );
      }
      return definition;
    },
    all: () => [...latest.values()],
  };
}
