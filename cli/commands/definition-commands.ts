/**
 * `saga definitions [type]`: the saga types the orchestrator runs; one with its statechart.
 * `saga definitions check <dir>`: the definition lint on a folder of definitions (offline).
 * `saga definitions migrate --type T --from V --to W`: move waiting sagas to another version.
 */
import type { Command } from 'commander';
import type { ActionAudit } from '../api-client.js';
import { printJson, type CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { renderDefinition, renderDefinitions, renderMigration } from '../format/lists.js';
import { checkDefinitionsCommand } from './check-definitions.js';
import { positiveInt } from './options.js';
import { auditOf, withAudit, type Run } from './saga-commands.js';

interface MigrateOptions extends ActionAudit {
  type: string;
  from: string;
  to: string;
  state?: string;
  dryRun?: boolean;
  limit?: number;
}

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

  withAudit(
    definitions
      .command('migrate')
      .description(
        'move the sagas waiting on one version of a type to another with the migration it declares; --dry-run lists who would move and who cannot',
      )
      .requiredOption('--type <type>', 'saga type, e.g. order')
      .requiredOption('--from <version>', 'the version the sagas run on')
      .requiredOption('--to <version>', 'the version to move them to')
      .option('--state <state>', 'only sagas in this state')
      .option('--dry-run', 'list who would move and who cannot, change nothing')
      .option('--limit <n>', 'most sagas looked at (default 1000)', positiveInt('--limit', 10_000)),
  ).action(
    run(async (context: CliContext, opts: MigrateOptions) => {
      const result = await context.client.migrate(
        opts.type,
        {
          from: opts.from,
          to: opts.to,
          ...(opts.state !== undefined ? { state: opts.state } : {}),
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        },
        auditOf(opts),
      );
      if (context.json) printJson(context, result);
      else context.out(renderMigration(result));
      return !result.dryRun && result.cannot.length > 0 ? EXIT.SOME_NOT_MIGRATED : EXIT.OK;
    }),
  );
}
