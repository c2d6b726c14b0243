/** The HTTP API: `createApiApp` and what it is made of. See docs/api.md. */
export {
  createApiApp,
  DEFAULT_BODY_LIMIT_BYTES,
  type ApiApp,
  type ApiAppOptions,
} from './create-api-app.js';
export { API_ERRORS, ApiError, type ApiErrorBody, type ApiErrorCode } from './api-error.js';
export type { ApiOrchestrator } from './api-orchestrator.js';
export { buildOpenApiDocument, type OpenApiDocument } from './openapi/document.js';
export {
  buildAsyncApiDocument,
  type AsyncApiDocument,
  type AsyncApiOptions,
} from './asyncapi/document.js';
export {
  OPERATIONS,
  isActionOperation,
  openApiPath,
  type OperationSpec,
} from './openapi/operations.js';
export type { ApiRole } from './bearer-auth.js';
export type { ConsoleLinks } from './session-routes.js';
export { createDocumentAjv, DOCUMENT_KEY } from './request-validation.js';
export type { SagaSummaryView, SagaView } from './saga-view.js';
export type { RetryParkedResult } from './saga-fleet-routes.js';
export { listRoutes, type RegisteredRoute } from './route-table.js';
