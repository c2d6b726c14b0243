/**
 * Liveness and readiness, for Kubernetes probes and load balancers. `/healthz` says the process
 * serves requests; `/readyz` says it can do its work (Redis answers, the consumer is in its group,
 * the producer is connected) and returns 503 with the failing checks otherwise.
 */
import { Router } from 'express';

export interface ReadinessSource {
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

export function healthRoutes(source: ReadinessSource): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { ready, checks } = await source.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}
