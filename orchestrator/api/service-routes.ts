/**
 * `/metrics`, `/openapi.json` and `/asyncapi.json` (the wire contract of the loaded definitions). The metrics handler comes from telemetry (the Prometheus
 * exporter's request handler); without one, `/metrics` answers 404 so a scraper reports it clearly.
 */
import type { RequestHandler } from 'express';
import { ApiError } from './api-error.js';
import type { ApiOrchestrator } from './api-orchestrator.js';
import { buildAsyncApiDocument } from './asyncapi/document.js';
import type { OpenApiDocument } from './openapi/document.js';
import type { RouteRegistry } from './route-registry.js';

export function serviceRoutes(
  routes: RouteRegistry,
  options: {
    document: OpenApiDocument;
    orchestrator: ApiOrchestrator;
    metricsHandler?: RequestHandler | undefined;
    /** The service's version, shown in both documents' `info`. */
    version?: string | undefined;
  },
): void {
  const { document, orchestrator, metricsHandler } = options;
  routes.add('openapi', (_input, _req, res) => {
    res.json(document);
  });
  // Definitions are fixed once the orchestrator runs: built on first request, then served as is.
  let asyncApi: ReturnType<typeof buildAsyncApiDocument> | undefined;
  routes.add('asyncapi', (_input, _req, res) => {
    asyncApi ??= buildAsyncApiDocument({
      definitions: orchestrator.definitions(),
      topicPrefix: orchestrator.topics.prefix,
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
    res.json(asyncApi);
  });
  routes.add('metrics', async (_input, req, res) => {
    if (!metricsHandler) {
      throw new ApiError('NOT_FOUND', 'metrics are not enabled in this process');
    }
    await new Promise<void>((resolve, reject) => {
      res.once('finish', () => resolve());
      res.once('close', () => resolve());
      const result: unknown = metricsHandler(req, res, (error?: unknown) =>
        error
          ? reject(error instanceof Error ? error : new Error('the metrics handler failed'))
          : resolve(),
      );
      if (result instanceof Promise) result.catch(reject);
    });
  });
}
