/**
 * `GET /v1/session`: the caller's role (from the token it presented) and the links the console
 * shows (Grafana, one trace), so the browser app needs no configuration of its own.
 */
import { roleOf } from './bearer-auth.js';
import type { RouteRegistry } from './route-registry.js';

/** Where the console links to; each is shown only when configured. */
export interface ConsoleLinks {
  /** Base URL of Grafana (`CONSOLE_GRAFANA_URL`), e.g. `http://localhost:3000`. */
  grafanaUrl?: string | undefined;
  /** URL of one trace with `{traceId}` in it (`CONSOLE_TRACE_URL`). */
  traceUrlTemplate?: string | undefined;
}

export function sessionRoutes(routes: RouteRegistry, links: ConsoleLinks): void {
  const shown = {
    ...(links.grafanaUrl !== undefined ? { grafanaUrl: links.grafanaUrl } : {}),
    ...(links.traceUrlTemplate !== undefined ? { traceUrlTemplate: links.traceUrlTemplate } : {}),
  };
  routes.add('getSession', (_input, _req, res) => {
    res.json({ role: roleOf(res), links: shown });
  });
}
