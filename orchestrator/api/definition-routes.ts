/**
 * `/v1/definitions`: the saga types this orchestrator runs. The list shows each type's steps and
 * declared signals (with their schemas); one
 * definition adds its statechart as JSON (XState's `toJSON()` and the config without functions).
 */
import { ApiError } from './api-error.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import type { RouteRegistry } from './route-registry.js';

export function definitionRoutes(routes: RouteRegistry, orchestrator: ApiOrchestrator): void {
  routes.add('listDefinitions', (_input, _req, res) => {
    const items = orchestrator
      .definitions()
      .map(({ type, version, description, steps, signals }) => ({
        type,
        version,
        ...(description !== undefined ? { description } : {}),
        steps,
        ...(signals !== undefined ? { signals } : {}),
      }));
    res.json({ items });
  });

  routes.add('getDefinition', ({ params }, _req, res) => {
    const type = params.type ?? '';
    const found = orchestrator.definitions().find((d) => d.type === type);
    if (!found) {
      throw new ApiError('DEFINITION_NOT_FOUND', `no saga definition of type "${type}"`, {
        known: orchestrator.definitions().map((d) => d.type),
      });
    }
    res.json(found);
  });
}
