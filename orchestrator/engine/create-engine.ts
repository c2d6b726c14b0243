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
import { createRegistry } from './registry.js';
import { startSaga } from './start-saga.js';
import type { SagaDefinition, SagaEngine } from './types.js';

export function createEngine(definitions: readonly SagaDefinition[]): SagaEngine {
  const registry = createRegistry(definitions);
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
      return applyEvent(
        registry.forRecord(record.type, record.definitionVersion, record.id),
        record,
        event,
        now,
      );
    },
    definition: (type) => registry.latest(type),
    definitions: () => registry.all(),
  };
}
