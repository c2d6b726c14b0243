/**
 * `saga`: the command line of the saga orchestrator, a client of its HTTP API.
 *
 * @example
 * saga start order '{"orderId":"o-1","customerId":"c-1","items":[{"sku":"SKU-1","quantity":1}],"amount":20,"currency":"EUR"}' --wait
 * saga list --status parked
 * saga signal order-1234 order.approve '{"approvedBy":"ana"}'
 * saga watch
 * saga asyncapi --out contract.asyncapi.json
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, CommanderError } from 'commander';
import { ApiRequestError, ApiUnreachableError, SagaApiClient } from './api-client.js';
import { resolveConnection } from './config.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT, type ExitCode } from './exit-codes.js';
import { registerAsyncApiCommand } from './commands/asyncapi-command.js';
import { registerDefinitionCommands } from './commands/definition-commands.js';
import { registerSagaCommands, type Run } from './commands/saga-commands.js';
import { registerWatchCommand } from './commands/watch-command.js';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Runs the CLI on `argv` (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.OK;
  let json = false;
  const program = new Command('saga')
    .description('Start, inspect and act on sagas through the orchestrator’s HTTP API.')
    .option('--url <url>', 'API base URL (env SAGA_API_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'bearer token (env SAGA_API_TOKEN)')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError('(saga --help shows the usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const run: Run =
    <A extends unknown[]>(action: (context: CliContext, ...args: A) => Promise<ExitCode | void>) =>
    async (...args: unknown[]) => {
      // Commander passes the arguments, the options, then the command itself.
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      json = globals.json === true;
      const context: CliContext = {
        client: new SagaApiClient(resolveConnection(globals, io.env)),
        json,
        out: (text) => io.stdout.write(`${text}\n`),
        interactive: io.stdout.isTTY === true,
        now: () => Date.now(),
        sleep: (ms) => sleep(ms),
      };
      exitCode = (await action(context, ...(args.slice(0, -1) as A))) ?? EXIT.OK;
    };

  registerSagaCommands(program, run);
  registerDefinitionCommands(program, run);
  registerAsyncApiCommand(program, run);
  registerWatchCommand(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportFailure(error, io, json);
  }
}

/**
 * What the error's details add for a person: the events a saga accepts, the input's errors, the
 * signal's violations of its schema.
 */
function hints(error: ApiRequestError): string {
  const accepts = error.details?.accepts;
  const errors = error.details?.errors;
  const lines: string[] = [];
  if (Array.isArray(accepts)) {
    lines.push(
      accepts.length > 0
        ? `  it accepts now: ${accepts.join(', ')}`
        : '  it accepts no external event now',
    );
  }
  if (Array.isArray(errors) && error.code === 'INVALID_INPUT') {
    lines.push(...errors.map((e) => `  - ${String(e)}`));
  }
  if (Array.isArray(errors) && error.code === 'INVALID_EVENT') {
    // Each is { path, message }: where in the event's fields, and what is wrong there.
    const violations = errors as Array<{ path?: unknown; message?: unknown }>;
    lines.push(...violations.map((v) => `  - ${String(v.path)} ${String(v.message)}`));
  }
  return lines.map((line) => `${line}\n`).join('');
}

function reportFailure(error: unknown, io: CliIo, json: boolean): ExitCode {
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help) already.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
      ? EXIT.OK
      : error.exitCode === 0
        ? EXIT.OK
        : EXIT.USAGE;
  }
  if (error instanceof ApiRequestError) {
    io.stderr.write(
      json
        ? `${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) }, status: error.status })}\n`
        : `error: ${error.message} (${error.code}, HTTP ${error.status})\n${hints(error)}`,
    );
    return EXIT.API_ERROR;
  }
  if (error instanceof ApiUnreachableError || error instanceof CliExit) {
    io.stderr.write(`error: ${error.message}\n`);
    return error instanceof CliExit ? error.code : EXIT.UNREACHABLE;
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.API_ERROR;
}
