/**
 * `saga watch [id]`: live progress. With an id, the saga is redrawn every interval until it is no
 * longer running (the exit code then says how it ended, as `wait` does); without, the newest sagas
 * and their counts by status are redrawn until Ctrl-C (or `--count` refreshes). On a terminal the
 * screen is redrawn in place; piped, each refresh is appended (with `--json`, one JSON line each).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { renderSagaPage, statusCounts } from '../format/lists.js';
import { renderSaga } from '../format/saga.js';
import { when } from '../format/table.js';
import { duration, positiveInt, status } from './options.js';
import { sagaWithRecentHistory, type Run } from './saga-commands.js';
import { exitCodeOf } from './wait-for-saga.js';

const CLEAR_SCREEN = '\u001b[2J\u001b[H';

interface WatchOptions {
  interval?: number;
  count?: number;
  history?: number;
  type?: string;
  status?: string;
  state?: string;
  limit?: number;
}

function frame(context: CliContext, title: string, body: string): void {
  const stamp = when(new Date(context.now()).toISOString());
  const heading = `${title} — ${stamp}`;
  context.out(
    context.interactive ? `${CLEAR_SCREEN}${heading}\n\n${body}` : `${heading}\n${body}\n`,
  );
}

export function registerWatchCommand(program: Command, run: Run): void {
  program
    .command('watch')
    .description('live progress of one saga, or of the newest sagas')
    .argument('[id]', 'saga id (without: the list)')
    .option('--interval <duration>', 'time between refreshes (default 1s)', duration)
    .option('--count <n>', 'stop after n refreshes', positiveInt('--count'))
    .option(
      '--history <n>',
      'history entries shown for a saga (default 15)',
      positiveInt('--history', 1000),
    )
    .option('--type <type>', 'list: only this saga type')
    .option('--status <status>', 'list: only this status', status)
    .option('--state <state>', 'list: only this state')
    .option('--limit <n>', 'list: how many sagas (default 20)', positiveInt('--limit', 500))
    .action(
      run(async (context: CliContext, id: string | undefined, opts: WatchOptions) => {
        const interval = opts.interval ?? 1_000;
        for (let refresh = 1; ; refresh++) {
          const last = opts.count !== undefined && refresh >= opts.count;
          if (id !== undefined) {
            const saga = await sagaWithRecentHistory(context, id, opts.history ?? 15);
            const done = saga.status !== 'running';
            if (context.json) context.out(JSON.stringify(saga));
            else
              frame(
                context,
                `saga ${id}${done ? '' : ' (Ctrl-C to stop)'}`,
                renderSaga(saga, context.now()),
              );
            if (done) return exitCodeOf({ done, saga });
            if (last) return EXIT.STILL_RUNNING;
          } else {
            const page = await context.client.listSagas({
              type: opts.type,
              status: opts.status,
              state: opts.state,
              limit: opts.limit ?? 20,
            });
            if (context.json) context.out(JSON.stringify(page));
            else {
              frame(
                context,
                `newest sagas (${statusCounts(page.items)}) — Ctrl-C to stop`,
                renderSagaPage(page),
              );
            }
            if (last) return EXIT.OK;
          }
          await context.sleep(interval);
        }
      }),
    );
}
