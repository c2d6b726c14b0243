/**
 * Liveness and readiness, for Kubernetes probes and load balancers. `/healthz` says the process
 * serves requests; `/readyz` says it can do its work (Redis and a Kafka broker answer, the
 * consumer is in its group) and returns 503 with the failing checks otherwise.
 */
import type { RouteRegistry } from './route-registry.js';

export interface ReadinessSource {
  readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
}

export function healthRoutes(routes: RouteRegistry, source: ReadinessSource): void {
  routes.add('health', (_input, _req, res) => {
    res.json({ status: 'ok' });
  });
  routes.add('readiness', async (_input, _req, res) => {
    const { ready, checks } = await source.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
}
