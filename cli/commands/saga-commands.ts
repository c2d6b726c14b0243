/**
 * The commands on one saga or on the list: start, get, list, counts, wait, cancel, retry,
 * retry-parked, signal, pause, resume. The actions take `--actor` / `--reason`, written into the
 * saga's history.
 * Each prints a table (or the API's JSON with `--json`) and returns its exit code.
 */
import type { Command } from 'commander';
import type { ActionAudit, SagaView } from '../api-client.js';
import { printJson, type CliContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { renderCounts, renderRetryParked, renderSagaPage } from '../format/lists.js';
import { renderSaga } from '../format/saga.js';
import { readJsonObject } from '../json-argument.js';
import { duration, positiveInt, status } from './options.js';
import { describeOutcome, exitCodeOf, waitForSaga } from './wait-for-saga.js';

/** Wraps a command's action: builds its context and records its exit code. */
export type Run = <A extends unknown[]>(
  action: (context: CliContext, ...args: A) => Promise<ExitCode | void>,
) => (...args: unknown[]) => Promise<void>;

const DEFAULT_WAIT = '5m';
const DEFAULT_HISTORY = 20;

/** The saga with its last `history` entries (a second request only when there are more). */
export async function sagaWithRecentHistory(context: CliContext, id: string, history: number) {
  const first = await context.client.getSaga(id, { offset: 0, limit: history });
  const total = first.historyPage.total;
  if (total <= history) return first;
  return context.client.getSaga(id, { offset: total - history, limit: history });
}

function showSaga(context: CliContext, saga: SagaView, headline?: string) {
  if (context.json) printJson(context, saga);
  else context.out((headline ? `${headline}\n\n` : '') + renderSaga(saga, context.now()));
}

export function registerSagaCommands(program: Command, run: Run): void {
  program
    .command('start')
    .description('start a saga')
    .argument('<type>', 'saga type, e.g. order')
    .argument('<input>', 'input as JSON, @file.json, or - for stdin')
    .option('--id <id>', 'the saga id (default: derived from --key, or new)')
    .option('--key <idempotency-key>', 'the same key always names the same saga')
    .option('--wait [duration]', `wait for the result (default ${DEFAULT_WAIT})`)
    .action(
      run(
        async (
          context: CliContext,
          type: string,
          inputArg: string,
          opts: { id?: string; key?: string; wait?: string | true },
        ) => {
          const input = await readJsonObject(inputArg, 'the input');
          const { status: code, body } = await context.client.startSaga(
            { type, input, ...(opts.id ? { id: opts.id } : {}) },
            opts.key,
          );
          if (opts.wait === undefined) {
            showSaga(
              context,
              body,
              code === 201 ? 'Started.' : 'Already started (same id or key).',
            );
            return;
          }
          const timeout = duration(opts.wait === true ? DEFAULT_WAIT : opts.wait);
          const result = await waitForSaga(context, body.id, timeout);
          showSaga(context, result.saga, describeOutcome(result));
          return exitCodeOf(result);
        },
      ),
    );

  program
    .command('get')
    .description('show a saga: state, what it waits for, pending commands, timers, history')
    .argument('<id>', 'saga id')
    .option(
      '--history <n>',
      `show the last n history entries (default ${DEFAULT_HISTORY})`,
      positiveInt('--history', 1000),
    )
    .action(
      run(async (context: CliContext, id: string, opts: { history?: number }) => {
        showSaga(
          context,
          await sagaWithRecentHistory(context, id, opts.history ?? DEFAULT_HISTORY),
        );
      }),
    );

  program
    .command('list')
    .description('list sagas, newest first')
    .option('--type <type>', 'only this saga type')
    .option('--status <status>', 'only this status', status)
    .option('--state <state>', 'only this statechart state (with --type)')
    .option('--id-prefix <prefix>', 'only sagas whose id starts with this')
    .option(
      '--older-than <duration>',
      'only sagas created longer ago than this (e.g. 90m)',
      duration,
    )
    .option('--overdue', 'only running sagas stuck past a deadline (a timer over 5 s past due)')
    .option('--limit <n>', 'page size (1–500, default 50)', positiveInt('--limit', 500))
    .option('--cursor <cursor>', 'the next page of an earlier list')
    .option('--all', 'follow the cursor to the last page')
    .action(
      run(
        async (
          context: CliContext,
          opts: {
            type?: string;
            status?: string;
            state?: string;
            idPrefix?: string;
            olderThan?: number;
            overdue?: boolean;
            limit?: number;
            cursor?: string;
            all?: boolean;
          },
        ) => {
          const query = {
            type: opts.type,
            status: opts.status,
            state: opts.state,
            idPrefix: opts.idPrefix,
            olderThanMs: opts.olderThan,
            overdue: opts.overdue ? 'true' : undefined,
          };
          let page = await context.client.listSagas({
            ...query,
            limit: opts.limit,
            cursor: opts.cursor,
          });
          const items = [...page.items];
          while (opts.all && page.nextCursor) {
            page = await context.client.listSagas({
              ...query,
              limit: opts.limit,
              cursor: page.nextCursor,
            });
            items.push(...page.items);
          }
          const shown = { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
          if (context.json) printJson(context, shown);
          else context.out(renderSagaPage(shown));
        },
      ),
    );

  program
    .command('wait')
    .description('wait until a saga is no longer running; exit 0 if it completed')
    .argument('<id>', 'saga id')
    .option('--timeout <duration>', `how long to wait (default ${DEFAULT_WAIT})`, duration)
    .action(
      run(async (context: CliContext, id: string, opts: { timeout?: number }) => {
        const result = await waitForSaga(context, id, opts.timeout ?? duration(DEFAULT_WAIT));
        if (context.json) printJson(context, result);
        else context.out(describeOutcome(result));
        return exitCodeOf(result);
      }),
    );

  for (const [name, description, headline] of [
    ['cancel', 'cancel a running saga: its compensations run, it ends cancelled', 'Cancelling.'],
    ['retry', 'retry the compensation a parked saga is stuck on', 'Retrying.'],
    [
      'pause',
      'pause a running or parked saga: it sends no command and fires no deadline until resumed ' +
        '(replies are held)',
      'Paused.',
    ],
    [
      'resume',
      'resume a paused saga: its deadlines move later by the time paused, held replies apply',
      'Resumed.',
    ],
  ] as const) {
    withAudit(program.command(name).description(description).argument('<id>', 'saga id')).action(
      run(async (context: CliContext, id: string, audit: ActionAudit) => {
        const saga = await context.client.action(id, name, auditOf(audit));
        showSaga(context, saga, headline);
        return EXIT.OK;
      }),
    );
  }

  program
    .command('counts')
    .description('live counts of the stored sagas by type and status')
    .action(
      run(async (context: CliContext) => {
        const counts = await context.client.counts();
        if (context.json) printJson(context, counts);
        else context.out(renderCounts(counts.items));
      }),
    );

  withAudit(
    program
      .command('retry-parked')
      .description('retry every parked saga of a type (and state); --dry-run only lists them')
      .requiredOption('--type <type>', 'saga type, e.g. order')
      .option('--state <state>', 'only parked sagas in this state')
      .option('--dry-run', 'list what would be retried, change nothing')
      .option('--limit <n>', 'most sagas retried (default 1000)', positiveInt('--limit', 10_000)),
  ).action(
    run(
      async (
        context: CliContext,
        opts: { type: string; state?: string; dryRun?: boolean; limit?: number } & ActionAudit,
      ) => {
        const result = await context.client.retryParked(
          {
            type: opts.type,
            ...(opts.state !== undefined ? { state: opts.state } : {}),
            ...(opts.dryRun ? { dryRun: true } : {}),
            ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          },
          auditOf(opts),
        );
        if (context.json) printJson(context, result);
        else context.out(renderRetryParked(result, opts.dryRun === true));
        return result.failed.length > 0 ? EXIT.SOME_NOT_RETRIED : EXIT.OK;
      },
    ),
  );

  withAudit(
    program
      .command('signal')
      .description('send an external event into a saga, e.g. order.approve')
      .argument('<id>', 'saga id')
      .argument('<event>', 'event type')
      .argument('[data]', 'event data as a JSON object, @file.json, or -'),
  ).action(
    run(
      async (
        context: CliContext,
        id: string,
        event: string,
        dataArg: string | undefined,
        audit: ActionAudit,
      ) => {
        const data = dataArg === undefined ? {} : await readJsonObject(dataArg, 'the event data');
        const saga = await context.client.signal(id, { ...data, type: event }, auditOf(audit));
        showSaga(context, saga, `Sent ${event}.`);
      },
    ),
  );
}

/** `--actor` and `--reason` of an action: who and why, in the saga's history. */
/** Adds `--actor` / `--reason` to an action. */
export function withAudit(command: Command): Command {
  return command
    .option('--actor <name>', 'who acts (default: the token’s role, e.g. operator)')
    .option('--reason <text>', 'why, written into the saga’s history');
}

export function auditOf({ actor, reason }: ActionAudit): ActionAudit {
  return { ...(actor !== undefined ? { actor } : {}), ...(reason !== undefined ? { reason } : {}) };
}
