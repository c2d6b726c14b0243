/**
 * What every command gets: the API client, the output streams, `--json`, and the clock and sleep
 * (injected, so watch and wait are the only places that wait).
 */
import type { SagaApiClient } from './api-client.js';

export interface CliContext {
  client: SagaApiClient;
  /** `--json`: print the API's JSON instead of tables. */
  json: boolean;
  /** Writes a block of text (a newline is added) to stdout. */
  out(text: string): void;
  /** Whether stdout is a terminal (watch redraws in place only there). */
  interactive: boolean;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export function printJson(context: CliContext, value: unknown): void {
  context.out(JSON.stringify(value, null, 2));
}
