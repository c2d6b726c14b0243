/**
 * Every route of the HTTP API, described once. The OpenAPI document is generated from this table,
 * the request validators are compiled from it, and `defineRoute` registers a handler only for an
 * operation listed here — so what is documented is what is served and what is checked. The
 * operations themselves are in saga-operations.ts and service-operations.ts.
 */
import { error, type OperationSpec } from './operation-spec.js';
import { sagaRoutes } from './saga-operations.js';
import {
  definitionRoutes,
  fleetRoutes,
  serviceRoutes,
  sessionRoutes,
} from './service-operations.js';

export { DEFAULT_BULK_RETRY_LIMIT } from './components.js';
export {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RESULT_TIMEOUT_MS,
  OVERDUE_GRACE_MS,
  type OperationSpec,
  type ParameterSpec,
} from './operation-spec.js';

/**
 * An action: any operation under `/v1` that is not a GET. The read-only token may not call one
 * (403 FORBIDDEN); derived from the table, so an operation added later is covered without a list.
 */
export function isActionOperation(spec: Pick<OperationSpec, 'method' | 'path'>): boolean {
  return spec.path.startsWith('/v1/') && spec.method !== 'get';
}

const forbidden = error('The read-only token (API_READ_TOKEN) may not do this (FORBIDDEN).');

/** Every action documents the 403 its role check may answer. */
const withRoleErrors = (spec: OperationSpec): OperationSpec =>
  isActionOperation(spec) ? { ...spec, responses: { ...spec.responses, 403: forbidden } } : spec;

export const OPERATIONS: readonly OperationSpec[] = [
  ...sagaRoutes,
  ...fleetRoutes,
  ...sessionRoutes,
  ...definitionRoutes,
  ...serviceRoutes,
].map(withRoleErrors);

export type OperationId = (typeof OPERATIONS)[number]['operationId'];

export function operation(operationId: string): OperationSpec {
  const found = OPERATIONS.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no API operation "${operationId}"`);
  return found;
}

/** `/v1/sagas/:id` → `/v1/sagas/{id}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
