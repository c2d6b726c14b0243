/**
 * The routes an express app has registered (method and path), read from its router stack. The
 * OpenAPI test compares them with the document; nothing else depends on express's internals.
 */
import type { Express } from 'express';

export interface RegisteredRoute {
  method: string;
  /** Express syntax, e.g. `/v1/sagas/:id`. */
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function walk(stack: readonly Layer[], found: RegisteredRoute[]): void {
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') found.push({ method, path: layer.route.path });
      }
    } else if (layer.handle?.stack) {
      // Only routers mounted at the root are walked: a mount path is not readable in express 5.
      walk(layer.handle.stack, found);
    }
  }
}

export function listRoutes(app: Express): RegisteredRoute[] {
  const router = (app as unknown as { router?: { stack?: Layer[] } }).router;
  const found: RegisteredRoute[] = [];
  walk(router?.stack ?? [], found);
  return found;
}
