/**
 * The console's router (orchestrator/console/index.ts) on a bare express app: the bundle's
 * index.html for any `/ui` path, its assets, 404 for a missing asset, and a 503 page saying how to
 * build the bundle when there is none.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import express from 'express';
import { consoleRouter } from '../../../orchestrator/console/index.js';

describe('console router', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-router-'));
  let server: Server;
  let base: string;

  before(async () => {
    const app = express();
    app.use(consoleRouter({ bundleDir: dir }));
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with how to build the bundle when there is none, and serves it once built', async () => {
    const missing = await fetch(`${base}/ui/`);
    expect(missing.status).to.equal(503);
    expect(await missing.text()).to.include('npm run build:console');

    mkdirSync(path.join(dir, 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(path.join(dir, 'assets', 'main-ABC.js'), 'console.log(1)');
    for (const page of ['/ui', '/ui/', '/ui/sagas/ord-1', '/ui/sagas/a%2Fb', '/ui/anything/else']) {
      const response = await fetch(`${base}${page}`);
      expect(response.status, page).to.equal(200);
      expect(await response.text(), page).to.include('<div id="app">');
      // Same-origin scripts only, and no upgrade to https (the console may be served over http).
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, page).to.include("script-src 'self'");
      expect(csp, page).to.not.include('upgrade-insecure-requests');
    }
    const asset = await fetch(`${base}/ui/assets/main-ABC.js`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('content-type')).to.match(/javascript/);
    expect(asset.headers.get('cache-control')).to.include('immutable');
    expect((await fetch(`${base}/ui/assets/nope.js`)).status).to.equal(404);
    // A large asset (the layout engine is 1.5 MB) goes out gzipped to a browser that takes it.
    writeFileSync(
      path.join(dir, 'assets', 'elk-DEF.js'),
      `var elk = ${'"layout",'.repeat(20_000)};`,
    );
    const large = await fetch(`${base}/ui/assets/elk-DEF.js`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(large.headers.get('content-encoding')).to.equal('gzip');
    expect((await large.text()).startsWith('var elk = "layout",')).to.equal(true);
    // Outside /ui the router answers nothing (the API's own routes and 404s stay theirs).
    expect((await fetch(`${base}/v1/sagas`)).status).to.equal(404);
    expect((await fetch(`${base}/uix`)).status).to.equal(404);
  });
});
