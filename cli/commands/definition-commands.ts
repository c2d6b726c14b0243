/**
 * `saga definitions [type]`: the saga types the orchestrator runs; one with its statechart.
 * `saga definitions check <dir>`: the definition lint on a folder of definitions (offline).
 */
import type { Command } from 'commander';
import { printJson, type CliContext } from '../context.js';
import { renderDefinition, renderDefinitions } from '../format/lists.js';
import { checkDefinitionsCommand } from './check-definitions.js';
import type { Run } from './saga-commands.js';

export function registerDefinitionCommands(program: Command, run: Run): void {
  const definitions = program
    .command('definitions')
    .description('list saga definitions, or show one (--json adds its statechart)')
    .argument('[type]', 'one saga type')
    .action(
      run(async (context: CliContext, type?: string) => {
        if (type === undefined) {
          const items = await context.client.definitions();
          if (context.json) printJson(context, { items });
          else context.out(renderDefinitions(items));
          return;
        }
        const definition = await context.client.definition(type);
        if (context.json) printJson(context, definition);
        else context.out(renderDefinition(definition));
      }),
    );

  definitions
    .command('check')
    .description(
      'check every definition of a folder (<name>/index.ts|js) before production; exits 6 on an error',
    )
    .argument('<dir>', 'a folder of saga definitions, as for SAGA_DEFINITIONS_DIR')
    .action(run((context: CliContext, dir: string) => checkDefinitionsCommand(context, dir)));
}
