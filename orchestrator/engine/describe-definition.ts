/**
 * A definition as JSON, for `GET /v1/definitions/:type` and the Stately visualizer:
 * `definition` is XState's own `machine.toJSON()` (what the Stately inspector draws) and `config`
 * the machine config with its functions left out, XState's own actions kept as `{ type }` (paste
 * it into `createMachine(...)` at stately.ai/viz). Step details come from the `meta.saga` the step helper writes.
 */
import type { JsonObject } from '../../wire/contract/index.js';
import { toJson } from './json-text.js';
import type { SagaDefinition } from './types.js';
import { sagaStepsOf, type SagaStepInfo } from './vocabulary/introspect.js';
import type { SignalContracts } from './vocabulary/signal-contract.js';

export interface DefinitionDescription {
  type: string;
  version: string;
  description?: string;
  steps: SagaStepInfo[];
  /** The signals the definition declares, by event type (absent when it declares none). */
  signals?: SignalContracts;
  definition: JsonObject;
  config: JsonObject;
}

export function describeDefinition(definition: SagaDefinition): DefinitionDescription {
  const machine = definition.machine;
  return {
    type: definition.type,
    version: definition.version,
    ...(definition.description ? { description: definition.description } : {}),
    steps: sagaStepsOf(machine),
    ...(definition.signals ? { signals: definition.signals } : {}),
    definition: toJson(machine.toJSON() as unknown as JsonObject),
    config: configJson(machine.config),
  };
}

/**
 * The config as JSON. XState's own actions (`emit`, `raise`, `cancel`…) are functions carrying
 * their `type`: they are kept as `{ type }`, so an `entry` holding one is not turned into `null`
 * (which the visualizer could not run); other functions are left out.
 */
function configJson(config: unknown): JsonObject {
  const text = JSON.stringify(config, (_key, value: unknown) => {
    const type: unknown = typeof value === 'function' ? (value as { type?: unknown }).type : null;
    return typeof type === 'string' ? { type } : value;
  });
  return JSON.parse(text) as JsonObject;
}
