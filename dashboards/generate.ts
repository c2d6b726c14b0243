/**
 * Writes the dashboards and alert rules (`npm run dashboards`). The output is committed; a test
 * regenerates it and fails when it differs, so the committed files always match the code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DASHBOARDS_DIR, buildAll } from './src/build-all.js';

for (const [file, content] of await buildAll()) {
  const target = path.join(DASHBOARDS_DIR, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, content);
  console.log(`wrote dashboards/${file}`);
}
