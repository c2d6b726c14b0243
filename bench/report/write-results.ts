/**
 * Writes a run's results next to each other: `<dir>/<date>.md` (the tables) and `<dir>/<date>.json`
 * (everything, for comparing runs). A second run on the same day gets the time in its name.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResults } from '../harness/results.js';
import { renderMarkdown } from './render-markdown.js';

export interface WrittenResults {
  markdownFile: string;
  jsonFile: string;
  markdown: string;
}

export async function writeResults(results: BenchResults, dir: string): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const day = results.startedAt.slice(0, 10);
  const time = results.startedAt.slice(11, 19).replaceAll(':', '');
  const suffix = results.mode === 'default' ? '' : `-${results.mode}`;
  let base = path.join(dir, `${day}${suffix}`);
  if (existsSync(`${base}.md`)) base = path.join(dir, `${day}-${time}${suffix}`);
  const markdown = renderMarkdown(results);
  await writeFile(`${base}.md`, markdown);
  await writeFile(`${base}.json`, `${JSON.stringify(results, null, 2)}\n`);
  return { markdownFile: `${base}.md`, jsonFile: `${base}.json`, markdown };
}
