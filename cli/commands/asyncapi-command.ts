/**
 * `saga asyncapi [--out file]`: the AsyncAPI 3.0 document of the wire contract, as the running
 * orchestrator serves it at `/asyncapi.json` — so it names the topics under that orchestrator's
 * prefix and the saga types it really loaded. Printed, or written to a file for a participant
 * team's code generator or catalogue.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { Run } from './saga-commands.js';

export function registerAsyncApiCommand(program: Command, run: Run): void {
  program
    .command('asyncapi')
    .description('the wire contract of the running orchestrator as an AsyncAPI 3.0 document')
    .option('--out <file>', 'write it to this file instead of stdout')
    .action(
      run(async (context: CliContext, options: { out?: string }) => {
        const document = await context.client.asyncApi();
        const text = `${JSON.stringify(document, null, 2)}\n`;
        if (options.out === undefined) {
          context.out(text.trimEnd());
          return;
        }
        await writeFile(options.out, text);
        const channels = Object.keys(document.channels).length;
        const messages = Object.keys(document.components.messages).length;
        context.out(`wrote ${options.out} (${channels} channels, ${messages} messages)`);
      }),
    );
}
