/**
 * The definitions an engine runs, by type and version. A saga runs to its end on the version that
 * started it, so old versions stay registered while sagas on them are alive; new sagas start on
 * the newest version of a type (versions compared as numbers where they are: `10` after `9`), or
 * on the one `startVersions` names. An operator may move waiting sagas to another version with a
 * migration the target version declares (`defineSaga({ migrations })`, migrate-saga.ts).
 */
import { contractsOf } from './contracts.js';
import { SagaEngineError } from './errors.js';
import { compileSignals } from './signals.js';
import { assertStepDeadlinesProvided } from './step-deadlines.js';
import type { SagaDefinition } from './types.js';
import type { SagaMigration } from './vocabulary/define-migration.js';

export interface DefinitionRegistry {
  /** The version new sagas of `type` start on. */
  latest(type: string): SagaDefinition | undefined;
  /** The definition a stored saga runs on; throws `DEFINITION_NOT_FOUND` when it is gone. */
  forRecord(type: string, version: string, sagaId: string): SagaDefinition;
  /** The version new sagas start on, of every type, in registration order. */
  all(): SagaDefinition[];
  /** Every registered version of `type`, oldest first. */
  versions(type: string): SagaDefinition[];
  /** The migration `to`'s definition declares from `from`, with that definition. */
  migration(
    type: string,
    from: string,
    to: string,
  ): { migration: SagaMigration; definition: SagaDefinition } | undefined;
}

export interface RegistryOptions {
  /**
   * The version new sagas of a type start on, by type, when it is not the newest (e.g. to roll a
   * new version out after its migration was tried). It must be registered.
   */
  startVersions?: Readonly<Record<string, string>>;
}

/** `1` < `2` < `10`; `1.2` < `1.10`; other strings in plain order. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function createRegistry(
  definitions: readonly SagaDefinition[],
  options: RegistryOptions = {},
): DefinitionRegistry {
  const byKey = new Map<string, SagaDefinition>();
  const byType = new Map<string, SagaDefinition[]>();
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
    for (const migration of definition.migrations ?? []) {
      if (migration.type !== definition.type || migration.to !== definition.version) {
        throw new Error(
          `saga definition ${key} declares a migration to ${migration.type} ${migration.to}`,
        );
      }
    }
    byKey.set(key, definition);
    byType.set(definition.type, [...(byType.get(definition.type) ?? []), definition]);
  }
  const latest = new Map<string, SagaDefinition>();
  for (const [type, versions] of byType) {
    versions.sort((a, b) => compareVersions(a.version, b.version));
    const wanted = options.startVersions?.[type];
    const chosen =
      wanted === undefined ? versions[versions.length - 1] : byKey.get(`${type}@${wanted}`);
    if (!chosen) {
      throw new Error(
        `new ${type} sagas are to start on version ${wanted}, which is not registered (registered: ${versions.map((d) => d.version).join(', ')})`,
      );
    }
    latest.set(type, chosen);
  }
  for (const type of Object.keys(options.startVersions ?? {})) {
    if (!byType.has(type))
      throw new Error(`a start version is given for unknown saga type ${type}`);
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
    versions: (type) => [...(byType.get(type) ?? [])],
    migration(type, from, to) {
      const definition = byKey.get(`${type}@${to}`);
      const migration = definition?.migrations?.find((m) => m.from === from);
      return definition && migration ? { migration, definition } : undefined;
    },
  };
}
