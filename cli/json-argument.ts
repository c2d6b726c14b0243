/**
 * JSON given on the command line: inline (`'{"a":1}'`), from a file (`@input.json`) or from
 * standard input (`-`). Anything else is a usage error that says what is wrong.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { CliExit, EXIT } from './exit-codes.js';

export async function readJsonObject(
  value: string,
  what: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Record<string, unknown>> {
  let source: string;
  try {
    if (value === '-') source = await text(stdin);
    else if (value.startsWith('@')) source = await readFile(value.slice(1), 'utf8');
    else source = value;
  } catch (error) {
    throw new CliExit(EXIT.USAGE, `cannot read ${what} from ${value}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new CliExit(EXIT.USAGE, `${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliExit(EXIT.USAGE, `${what} must be a JSON object, e.g. '{"orderId":"o-1"}'`);
  }
  return parsed as Record<string, unknown>;
}
