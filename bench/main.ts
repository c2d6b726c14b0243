/**
 * `npm run bench` (through bench/run.sh, which provides Kafka and Redis): runs the benchmark,
 * shows a progress bar, writes `bench/results/<date>.md` and `.json`, and prints the tables.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadSettings, USAGE } from './config.js';
import type { BenchResults } from './harness/results.js';
import { checkTargets } from './harness/targets.js';
import { plannedSeconds, runBenchmark } from './harness/run-benchmark.js';
import { progressBar, progressLines } from './report/progress-bar.js';
import { renderMarkdown } from './report/render-markdown.js';
import { writeResults } from './report/write-results.js';

let settings: ReturnType<typeof loadSettings>;
try {
  settings = loadSettings(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (settings === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if ('render' in settings) {
  const results = JSON.parse(await readFile(settings.render, 'utf8')) as BenchResults;
  // Targets are checked again: an older run's file keeps its measurements, not its old targets.
  results.targets = checkTargets(results);
  const markdownFile = settings.render.replace(/\.json$/, '.md');
  await writeFile(markdownFile, renderMarkdown(results));
  console.log(`Rendered ${markdownFile}`);
  process.exit(0);
}

// Ctrl-C also reaches the workers, which exit; the driver then cleans up the session's topics
// and keys on its way out. A second Ctrl-C leaves at once.
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\n[bench] interrupted: removing this run’s topics and keys…\n');
});

console.error(
  `[bench] ${settings.mode} run, planned about ${Math.ceil(plannedSeconds(settings, true) / 60)} minutes`,
);
const progress = settings.showProgress ? progressBar(plannedSeconds(settings)) : progressLines();
try {
  const results = await runBenchmark({ ...settings, progress });
  progress.stop();
  const written = await writeResults(results, settings.resultsDir);
  console.log(`\n${written.markdown}`);
  console.log(`Results: ${written.markdownFile} and ${written.jsonFile}`);
  console.log(`Worker logs and CPU profiles: ${settings.workDir}`);
  const missed = results.targets.filter((target) => target.met === false);
  if (missed.length > 0) {
    console.log(
      `Targets missed: ${missed.map((t) => t.figure).join('; ')} (see docs/benchmarks.md)`,
    );
  }
} catch (error) {
  progress.stop();
  console.error(`\n[bench] failed: ${(error as Error).stack ?? String(error)}`);
  console.error(`Worker logs: ${settings.workDir}`);
  process.exitCode = 1;
}
