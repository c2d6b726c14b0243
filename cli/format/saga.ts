/** A saga for people: its header, what it waits for, pending commands, timers, history. */
import type { SagaView } from '../api-client.js';
import { clock, fields, relative, table, when } from './table.js';

export function renderSaga(saga: SagaView, now: number): string {
  const parts: string[] = [];
  parts.push(
    fields([
      ['id', saga.id],
      ['type', `${saga.type} (version ${saga.version})`],
      ['status', saga.paused ? `${saga.status} (paused)` : saga.status],
      ...(saga.paused
        ? [
            [
              'paused',
              `${when(saga.paused.at)} by ${saga.paused.actor}` +
                (saga.paused.reason !== undefined ? `: ${saga.paused.reason}` : ''),
            ] satisfies [string, string],
          ]
        : []),
      ['state', saga.state],
      ['revision', String(saga.revision)],
      ['created', when(saga.createdAt)],
      ['updated', `${when(saga.updatedAt)} (${relative(saga.updatedAt, now)})`],
      ...(saga.idempotencyKey
        ? [['idempotency key', saga.idempotencyKey] satisfies [string, string]]
        : []),
    ]),
  );
  if (saga.waitingFor.summary.length > 0) {
    parts.push(
      ['Waiting for:', ...saga.waitingFor.summary.map((line) => `  - ${line}`)].join('\n'),
    );
  }
  if (saga.pending.length > 0) {
    parts.push(
      'Pending commands:\n' +
        table(
          ['step', 'participant', 'command', 'kind', 'attempt', 'expires'],
          saga.pending.map((p) => [
            p.step,
            p.participant,
            p.command,
            p.kind,
            String(p.attempt),
            relative(p.expiresAt, now),
          ]),
        ),
    );
  }
  if (saga.timers.length > 0) {
    parts.push(
      'Timers:\n' +
        table(
          ['event', 'due'],
          saga.timers.map((t) => [t.event, `${when(t.dueAt)} (${relative(t.dueAt, now)})`]),
        ),
    );
  }
  const { offset, total, dropped } = saga.historyPage;
  const shown = saga.history.length;
  const range =
    shown === total ? `${total} entries` : `entries ${offset + 1}–${offset + shown} of ${total}`;
  parts.push(
    `History (${range}${dropped > 0 ? `, ${dropped} older dropped` : ''}):\n` +
      table(
        ['time (UTC)', 'kind', 'what'],
        saga.history.map((h) => [clock(h.at), h.kind, h.summary]),
      ),
  );
  return parts.join('\n\n');
}
