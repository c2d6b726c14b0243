/**
 * The operator console's server side: an express router that serves the browser bundle built by
 * `npm run build:console` (into `dist/console/`) at `/ui`. The static files hold no data, so they
 * need no token; the page asks for one and sends it on its own `/v1` calls. Any `/ui/*` path that
 * is not an asset answers `index.html` (the page routes by path: `/ui/sagas/<id>`). Without a
 * bundle `/ui` answers 503 with a page saying how to build it, and the API runs on.
 *
 * @example
 * app.use(consoleRouter()); // before the API's unknown-route handler
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type Router } from 'express';
import helmet from 'helmet';

/** Where the console is served. */
export const CONSOLE_BASE_PATH = '/ui';

export interface ConsoleRouterOptions {
  /**
   * The built bundle (the folder holding `index.html` and `assets/`).
   * @default `dist/console` of the repository (from the sources) or of the build (compiled)
   */
  bundleDir?: string;
}

/**
 * The bundle's default folder: from the sources (`orchestrator/console/index.ts`) it is
 * `<repo>/dist/console`; compiled (`dist/orchestrator/console/index.js`) it is `dist/console`.
 */
export function defaultConsoleBundleDir(): string {
  const candidates = [
    path.resolve(import.meta.dirname, '../../dist/console'),
    path.resolve(import.meta.dirname, '../../console'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}

const MISSING_BUNDLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Saga console not built</title></head>
<body><h1>The console is not built</h1>
<p>This orchestrator has no console bundle. Build it with <code>npm run build:console</code>
(or <code>npm run build</code>) and reload. The API under <code>/v1</code> works without it.</p>
</body></html>
`;

/** The router serving the console at {@link CONSOLE_BASE_PATH}. */
export function consoleRouter(options: ConsoleRouterOptions = {}): Router {
  const bundleDir = options.bundleDir ?? defaultConsoleBundleDir();
  const indexFile = path.join(bundleDir, 'index.html');
  const router = express.Router();

  // helmet's default CSP (set by the API app for every response) holds for the page, save one
  // directive: upgrade-insecure-requests makes a browser fetch the page's own scripts over https,
  // so a console served over plain http on any host but localhost (in a cluster, behind a
  // port-forward to a name) would stay blank.
  router.use(
    CONSOLE_BASE_PATH,
    helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } }),
  );
  // The layout engine alone is 1.5 MB of JavaScript (0.45 MB gzipped): compressed on the way out.
  router.use(CONSOLE_BASE_PATH, compression());
  // Asset names carry a content hash: they never change, so browsers may keep them.
  router.use(
    `${CONSOLE_BASE_PATH}/assets`,
    express.static(path.join(bundleDir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
    }),
  );
  router.use(`${CONSOLE_BASE_PATH}/assets`, (_req, res) => {
    res.status(404).type('text').send('no such console asset\n');
  });
  router.get([CONSOLE_BASE_PATH, `${CONSOLE_BASE_PATH}/{*rest}`], (_req, res) => {
    // Checked per request: a bundle built after start-up is served without a restart.
    if (!existsSync(indexFile)) {
      res.status(503).type('html').set('Cache-Control', 'no-store').send(MISSING_BUNDLE_PAGE);
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(indexFile);
  });
  return router;
}
