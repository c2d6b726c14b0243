/**
 * The demo, the README's main job (`npm run demo`, which starts local Kafka and Redis first when
 * KAFKA_BROKERS / REDIS_URL are unset): the orchestrator with its HTTP API and the three example
 * participants in this process, a stream of order sagas started through the API with a realistic
 * mix of outcomes, a progress bar, and a summary. `npm run demo -- --help` lists the options; the
 * parts are in `scripts/demo/`.
 *
 * Exit codes: 0 when every saga ended (completed, compensated, cancelled or failed; a saga still
 * parked after the demo retried it is not ended) and the participants' invariants hold and agree
 * with the sagas; 1 otherwise, with the reason; 2 for bad usage or configuration.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../orchestrator/config/load-config.js';
import { parseDemoOptions, type DemoOptions } from './demo/demo-options.js';
import { runDemo } from './demo/run-demo.js';

let options: DemoOptions;
try {
  options = parseDemoOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  console.error(error instanceof ConfigError ? error.message : String(error));
  process.exit(2);
}

const interrupt = new AbortController();
let firstSignalAt: number | undefined;
const onSignal = (signal: string) => {
  // One Ctrl-C can arrive twice: from the terminal to the whole process group, and relayed by a
  // parent (npm, tsx). A second one within a second is the same.
  if (firstSignalAt !== undefined && Date.now() - firstSignalAt < 1_000) return;
  if (firstSignalAt !== undefined) {
    console.error(`${signal} again: exiting now.`);
    process.exit(130);
  }
  firstSignalAt = Date.now();
  console.error(`${signal}: stopping gracefully (again to exit at once).`);
  interrupt.abort();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

try {
  const code = await runDemo(options, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: process.stderr.isTTY === true,
    interrupt: interrupt.signal,
  });
  process.exit(code);
} catch (error) {
  console.error(
    `The demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}
