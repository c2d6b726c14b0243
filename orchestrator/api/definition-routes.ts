/**
 * `/v1/definitions`: the saga types this orchestrator runs, and the migration of waiting sagas from
 * one version of a type to another (`POST /v1/definitions/{type}/migrations`). The list shows each type's steps and
 * declared signals (with their schemas); one
 * definition adds its statechart as JSON (XState's `toJSON()` and the config without functions).
 */
import type { MigrationRequest } from '../runtime/index.js';
import { ApiError } from './api-error.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import { operatorAudit } from './operator-audit.js';
import type { RouteRegistry } from './route-registry.js';

/** `{ versions }` when the type runs in several versions side by side, else nothing. */
function versionsOf(orchestrator: ApiOrchestrator, type: string): { versions?: string[] } {
  const versions = orchestrator.definitionVersions(type);
  return versions.length > 1 ? { versions } : {};
}

export function definitionRoutes(routes: RouteRegistry, orchestrator: ApiOrchestrator): void {
  routes.add('listDefinitions', (_input, _req, res) => {
    const items = orchestrator
      .definitions()
      .map(({ type, version, description, steps, signals }) => ({
        type,
        version,
        ...versionsOf(orchestrator, type),
        ...(description !== undefined ? { description } : {}),
        steps,
        ...(signals !== undefined ? { signals } : {}),
      }));
    res.json({ items });
  });

  routes.add('getDefinition', ({ params, query }, _req, res) => {
    const type = params.type ?? '';
    const version = typeof query.version === 'string' ? query.version : undefined;
    const found = orchestrator.definition(type, version);
    if (!found) {
      const versions = orchestrator.definitionVersions(type);
      throw versions.length > 0
        ? new ApiError('DEFINITION_NOT_FOUND', `no version ${version} of saga type "${type}"`, {
            versions,
          })
        : new ApiError('DEFINITION_NOT_FOUND', `no saga definition of type "${type}"`, {
            known: orchestrator.definitions().map((d) => d.type),
          });
    }
    res.json(found);
  });

  routes.add('migrateSagas', async ({ params, body }, req, res) => {
    const type = params.type ?? '';
    const request = { ...(body as Omit<MigrationRequest, 'type'>), type };
    const report = await orchestrator.migrateSagas(request, operatorAudit(req, res));
    if (report.status === 'no-migration') {
      throw new ApiError('DEFINITION_NOT_FOUND', report.message, {
        versions: orchestrator.definitionVersions(type),
      });
    }
    const { dryRun, wouldMove, moved, cannot } = report;
    res.json({ type, from: request.from, to: request.to, dryRun, wouldMove, moved, cannot });
  });
}
