/**
 * The participants' side: what they handle, refuse, skip and dead-letter, how long handlers
 * take, and how far their consumer groups lag.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, timeseries } from './panels.js';
import { L, M, P, gauge, quantile, rate } from './promql.js';

export const PARTICIPANTS_UID = 'saga-participants';

export function participantsDashboard(): Dashboard {
  return dashboard(
    PARTICIPANTS_UID,
    'Sagas — participants',
    'Commands handled, failed, duplicated, expired and dead-lettered per participant; handler time; lag.',
  )
    .withRow(row('Commands'))
    .withPanel(
      timeseries(
        'Handled',
        [
          {
            expr: rate(P.handled, [L.participant, L.outcome]),
            legend: '{{saga_participant}} {{saga_reply_outcome}}',
          },
        ],
        { description: 'Commands handled to a reply, per second.', unit: 'reqps', stacked: true },
      ),
    )
    .withPanel(
      timeseries(
        'Failures by code',
        [
          {
            expr: rate(P.failed, [L.participant, L.errorCode]),
            legend: '{{saga_participant}} {{saga_error_code}}',
          },
        ],
        {
          description:
            'Failure replies per second, by error code (business refusals and give-ups).',
          unit: 'reqps',
        },
      ),
    )
    .withPanel(
      timeseries(
        'Duplicates, expired, retries',
        [
          { expr: rate(P.duplicates, [L.participant]), legend: 'duplicate {{saga_participant}}' },
          { expr: rate(P.expired, [L.participant]), legend: 'expired {{saga_participant}}' },
          { expr: rate(P.retries, [L.participant]), legend: 'retry {{saga_participant}}' },
        ],
        {
          description:
            'Re-delivered commands answered from the ledger, commands dropped past their deadline, and in-process handler retries.',
          unit: 'reqps',
        },
      ),
    )
    .withRow(row('Time and trouble'))
    .withPanel(
      timeseries(
        'Handler time p95',
        [
          {
            expr: quantile(0.95, P.handlerDuration, [L.participant, L.commandType]),
            legend: '{{saga_participant}} {{saga_command_type}}',
            exemplar: true,
          },
        ],
        {
          description: 'Time in the handler per delivery (all tries), p95; click for traces.',
          unit: 'ms',
          traceLink: {
            title: 'Traces of this command type',
            traceql:
              '{ span.saga.participant = "${__field.labels.saga_participant}" && span.saga.command.type = "${__field.labels.saga_command_type}" && kind = consumer }',
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Dead letters',
        [
          {
            expr: rate(P.deadLettered, [L.participant, L.dlqCode]),
            legend: '{{saga_participant}} {{saga_dlq_code}}',
          },
        ],
        { description: 'Messages a participant could not process, by DLQ code.', unit: 'reqps' },
      ),
    )
    .withPanel(
      timeseries(
        'Consumer lag',
        [
          {
            expr: gauge(M.consumerLag, [L.consumerGroup], {}, 'max'),
            legend: '{{messaging_consumer_group_name}}',
          },
        ],
        { description: 'Commands each group has yet to commit.', unit: 'short' },
      ),
    )
    .build();
}
