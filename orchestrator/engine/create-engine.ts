/**
 * `createEngine(definitions)`: the pure saga engine the runtime calls for every step.
 *
 * @example
 * ```ts
 * const engine = createEngine([orderSaga]);
 * const started = engine.start('order', { sagaId, input, now: clock.now() });
 * if (started.outcome === 'rejected') return res.status(400).json(started);
 * // persist started.record, publish its command effects…
 * const next = engine.apply(record, { kind: 'reply', reply }, clock.now());
 * ```
 */
import { applyEvent } from './apply-event.js';
import { migrateSaga } from './migrate-saga.js';
import { createRegistry, type DefinitionRegistry, type RegistryOptions } from './registry.js';
import { startSaga } from './start-saga.js';
import type {
  EpochMs,
  SagaDefinition,
  SagaEngine,
  SagaEvent,
  SagaRecord,
  StepResult,
} from './types.js';

export type EngineOptions = RegistryOptions;

/** A saga moved to another version, or why not, as a step result (`migration-refused`). */
function migrate(
  registry: DefinitionRegistry,
  record: SagaRecord,
  event: Extract<SagaEvent, { kind: 'migrate' }>,
  now: EpochMs,
): StepResult {
  const found = registry.migration(record.type, record.definitionVersion, event.to);
  if (!found) {
    return {
      outcome: 'ignored',
      reason: 'migration-refused',
      detail: `${record.type} version ${event.to} declares no migration from version ${record.definitionVersion}`,
    };
  }
  const result = migrateSaga(found.definition, found.migration, record, event.audit, now);
  if (result.outcome === 'migrated') return result.step;
  return { outcome: 'ignored', reason: 'migration-refused', detail: result.detail };
}

export function createEngine(
  definitions: readonly SagaDefinition[],
  options: EngineOptions = {},
): SagaEngine {
  const registry = createRegistry(definitions, options);
  return {
    start(type, options) {
      const definition = registry.latest(type);
      if (!definition) {
        const known = registry
          .all()
          .map((d) => d.type)
          .join(', ');
        return {
          outcome: 'rejected',
          code: 'UNKNOWN_TYPE',
          message: `unknown saga type "${type}" (known: ${known || 'none'})`,
          errors: [`unknown saga type "${type}"`],
        };
      }
      return startSaga(definition, options);
    },
    apply(record, event, now) {
      // The saga's own version may be gone: a migration needs only the version it moves to.
      if (event.kind === 'migrate') return migrate(registry, record, event, now);
      return applyEvent(
        registry.forRecord(record.type, record.definitionVersion, record.id),
        record,
        event,
        now,
      );
    },
    definition: (type) => registry.latest(type),
    definitions: () => registry.all(),
    definitionOf(record) {
      return registry.versions(record.type).find((d) => d.version === record.definitionVersion);
    },
    versions: (type) => registry.versions(type),
  };
}
