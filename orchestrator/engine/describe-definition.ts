/**
 * A definition as JSON, for `GET /v1/definitions/:type` and the Stately visualizer:
 * `definition` is XState's own `machine.toJSON()` (what the Stately inspector draws) and `config`
 * the machine config with its functions left out (paste it into `createMachine(...)` at
 * stately.ai/viz). Step details come from the `meta.saga` the step helper writes.
 */
import type { JsonObject } from '../contract/messages.js';
import { toJson } from './snapshot.js';
import type { SagaDefinition } from './types.js';
import { sagaStepsOf, type SagaStepInfo } from './vocabulary/introspect.js';

export interface DefinitionDescription {
  type: string;
  version: string;
  description?: string;
  steps: SagaStepInfo[];
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
    definition: toJson(machine.toJSON() as unknown as JsonObject),
    config: toJson(machine.config as unknown as JsonObject),
  };
}
