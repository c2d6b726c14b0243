/**
 * The HTTP API as an express 5 app: `/v1` (sagas, definitions), health, readiness, metrics, the
 * OpenAPI document and the wire contract's AsyncAPI document, the operator console at `/ui`, behind helmet's security headers, with a body size limit, bearer-token auth on
 * `/v1` when a token is given (an operator token, and optionally a read-only one that every action
 * refuses with 403), validation from the OpenAPI document and JSON errors everywhere —
 * for requests Node's HTTP parser refuses too, on any server `app.listen` makes.
 *
 * @example
 * const app = createApiApp({ orchestrator, apiToken: config.http.apiToken, logger });
 * app.listen(8080);
 */
import type { Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { createLogger, type Logger } from '../../wire/telemetry/index.js';
import { consoleRouter, type ConsoleRouterOptions } from '../console/index.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import { bearerAuth, openAccess } from './bearer-auth.js';
import { answerClientErrors } from './client-errors.js';
import { definitionRoutes } from './definition-routes.js';
import { errorHandler, unknownRoute } from './error-handling.js';
import { healthRoutes } from './health-routes.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi/document.js';
import { createDocumentAjv } from './request-validation.js';
import { routeRegistry } from './route-registry.js';
import { sagaFleetRoutes } from './saga-fleet-routes.js';
import { sagaRoutes } from './saga-routes.js';
import { serviceRoutes } from './service-routes.js';
import { sessionRoutes, type ConsoleLinks } from './session-routes.js';

/** @default 256 kB */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;

export interface ApiAppOptions {
  orchestrator: ApiOrchestrator;
  /** When set (non-empty), every `/v1` route needs `Authorization: Bearer <apiToken>`. */
  apiToken?: string | undefined;
  /**
   * The read-only token: every GET of `/v1`, and 403 FORBIDDEN on every action. Only with
   * `apiToken`, and different from it.
   */
  readToken?: string | undefined;
  /** What `GET /v1/session` tells the console to link to. @default none */
  links?: ConsoleLinks;
  /** Serves `GET /metrics` (e.g. the Prometheus exporter's request handler); 404 without. */
  metricsHandler?: RequestHandler | undefined;
  /** @default the project's logger, namespace `api` */
  logger?: Logger;
  /** Largest accepted body, in bytes; larger ones get 413. @default 256 kB */
  bodyLimitBytes?: number;
  /** The version shown in the OpenAPI document's `info`. @default '1' */
  version?: string;
  /**
   * The operator console at `/ui` (its static files need no token); `false` serves none.
   * @default the bundle in `dist/console` (503 with how to build it when missing)
   */
  console?: ConsoleRouterOptions | false;
}

export interface ApiApp extends Express {
  /** The OpenAPI document this app serves at `/openapi.json`. */
  readonly openApiDocument: OpenApiDocument;
}

export function createApiApp(options: ApiAppOptions): ApiApp {
  const { orchestrator, apiToken, readToken, metricsHandler } = options;
  if (readToken && !apiToken) {
    throw new Error('createApiApp: a read-only token needs an operator token (apiToken) too');
  }
  const logger = options.logger ?? createLogger('api');
  const document = buildOpenApiDocument(options.version);
  const ajv = {
    strict: createDocumentAjv(document),
    coercing: createDocumentAjv(document, { coerceTypes: true, useDefaults: true }),
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());

  // Authentication first, so a refused request's body is never read.
  // Without a token every request is the operator's; the role is checked in front of each action.
  app.use(
    '/v1',
    apiToken ? bearerAuth({ operator: apiToken, readOnly: readToken || undefined }) : openAccess,
  );
  // Read only by the operations that take a body: any other route ignores one, so a GET with a
  // stray body gets the route's own answer (not a 400/413/415 its operation does not document).
  const jsonBody = express.json({
    limit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });

  const router = express.Router();
  const routes = routeRegistry(router, ajv, jsonBody);
  healthRoutes(routes, orchestrator);
  serviceRoutes(routes, { document, orchestrator, metricsHandler, version: options.version });
  sessionRoutes(routes, options.links ?? {});
  // Before sagaRoutes: `/v1/sagas/:id` would take `counts` for an id.
  sagaFleetRoutes(routes, orchestrator);
  sagaRoutes(routes, orchestrator);
  definitionRoutes(routes, orchestrator);
  app.use(router);
  if (options.console !== false) app.use(consoleRouter(options.console));

  app.use(unknownRoute);
  app.use(errorHandler(logger.child('http')));
  // Every server the app makes answers what Node's HTTP parser refuses in the API's error shape.
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  app.listen = ((...args: unknown[]) => answerClientErrors(listen(...args))) as typeof app.listen;
  return Object.assign(app, { openApiDocument: document });
}
