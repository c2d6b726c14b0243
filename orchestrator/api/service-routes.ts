/**
 * `/metrics` and `/openapi.json`. The metrics handler comes from telemetry (the Prometheus
 * exporter's request handler); without one, `/metrics` answers 404 so a scraper reports it clearly.
 */
import type { RequestHandler } from 'express';
import { ApiError } from './api-error.js';
import type { OpenApiDocument } from './openapi/document.js';
import type { RouteRegistry } from './route-registry.js';

export function serviceRoutes(
  routes: RouteRegistry,
  options: { document: OpenApiDocument; metricsHandler?: RequestHandler | undefined },
): void {
  const { document, metricsHandler } = options;
  routes.add('openapi', (_input, _req, res) => {
    res.json(document);
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
