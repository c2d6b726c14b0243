/**
 * The demo's settings, from the command line (commander) and the environment. The only module of
 * the demo that reads either; `npm run demo -- --help` prints the usage.
 *
 * Kafka and Redis are the orchestrator's own variables (KAFKA_BROKERS, REDIS_URL and their
 * SASL/TLS companions, checked by the orchestrator's config module); `npm run demo` starts local
 * ones when they are unset. HTTP_PORT (default 8080) and API_TOKEN mean what they mean for the
 * orchestrator. SAGA_TOPIC_PREFIX and REDIS_KEY_PREFIX are not used: every run has its own prefix.
 */
import { Command, InvalidArgumentError } from 'commander';
import {
  loadConnectionConfig,
  validateEnv,
  type ConnectionConfig,
  type Env,
} from '../../orchestrator/config/load-config.js';
import { orchestratorEnvSpec } from '../../orchestrator/config/env-spec.js';

export interface DemoOptions {
  sagas: number;
  /** Sagas offered per second; undefined: as fast as `inFlight` allows. */
  rate: number | undefined;
  inFlight: number;
  seed: string;
  /** Fraction of shipping confirms slower than the step deadline. */
  slowShipping: number;
  serve: boolean;
  verbose: boolean;
  progress: boolean;
  cleanOldRuns: boolean;
  connection: ConnectionConfig;
  httpPort: number;
  apiToken: string | undefined;
}

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${name} takes a whole number >= 1, got "${value}"`);
  }
  return n;
};

const positiveNumber = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`${name} takes a number > 0, got "${value}"`);
  }
  return n;
};

const fraction = (name: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) {
    throw new InvalidArgumentError(`${name} takes a number from 0 to 1, got "${value}"`);
  }
  return n;
};

interface Flags {
  sagas: number;
  rate?: number;
  inFlight: number;
  seed: string;
  slowShipping: number;
  serve?: boolean;
  verbose?: boolean;
  progress: boolean;
  cleanOldRuns: boolean;
}

/** The commander program (exported so its help text is one place). */
export function demoCommand(): Command {
  return new Command('npm run demo --')
    .description(
      'Runs a stream of order sagas through the orchestrator and the example participants on ' +
        'real Kafka and Redis, and prints a summary.',
    )
    .option('--sagas <n>', 'how many order sagas to run', positiveInt('--sagas'), 3000)
    .option(
      '--rate <n>',
      'sagas offered per second (default: as fast as --in-flight allows)',
      positiveNumber('--rate'),
    )
    .option('--in-flight <n>', 'most sagas running at once', positiveInt('--in-flight'), 64)
    .option('--seed <text>', 'seed of the orders and of which shipping calls are slow', 'demo')
    .option(
      '--slow-shipping <fraction>',
      'fraction of shipping confirms slower than the step deadline (0 to 1)',
      fraction('--slow-shipping'),
      0.04,
    )
    .option('--serve', 'keep the orchestrator and its API running after the summary (Ctrl-C)')
    .option('--verbose', 'log at info level (default: warnings and errors only)')
    .option('--no-progress', 'no progress bar: a line every few seconds instead')
    .option(
      '--no-clean-old-runs',
      'keep the topics and keys of earlier demo runs (by default they are deleted at start)',
    )
    .addHelpText(
      'after',
      `
Environment: KAFKA_BROKERS, REDIS_URL (npm run demo starts local ones when unset), HTTP_PORT
(default 8080; a free port is taken when it is busy), API_TOKEN (optional bearer token).
Exit code: 0 when every saga ended (completed, compensated, cancelled or failed) and the
participants' invariants hold; 1 otherwise (with the reason); 2 for bad usage or configuration.`,
    );
}

/** Parses argv (without node and the script) and the environment; throws on a bad setting. */
export function parseDemoOptions(argv: readonly string[], env: Env): DemoOptions {
  const command = demoCommand().exitOverride();
  command.parse([...argv], { from: 'user' });
  const flags = command.opts<Flags>();
  const connection = loadConnectionConfig(env, 'saga-demo');
  const http = validateEnv(env, {
    HTTP_PORT: orchestratorEnvSpec.HTTP_PORT,
    API_TOKEN: orchestratorEnvSpec.API_TOKEN,
  });
  return {
    sagas: flags.sagas,
    rate: flags.rate,
    inFlight: flags.inFlight,
    seed: flags.seed,
    slowShipping: flags.slowShipping,
    serve: flags.serve === true,
    verbose: flags.verbose === true,
    progress: flags.progress,
    cleanOldRuns: flags.cleanOldRuns,
    connection,
    httpPort: http.HTTP_PORT,
    apiToken: http.API_TOKEN === '' ? undefined : http.API_TOKEN,
  };
}
