/**
 * The overview: is the orchestrator keeping up, how do sagas end, what needs an operator.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, row, stat, timeseries } from './panels.js';
import { L, M, P, gauge, increase, quantile, rate } from './promql.js';

export const OVERVIEW_UID = 'saga-overview';

const stepTraces = {
  title: 'Traces of this step',
  traceql: '{ span.saga.step = "${__field.labels.saga_step}" && kind = producer }',
};

export function overviewDashboard(): Dashboard {
  return dashboard(
    OVERVIEW_UID,
    'Sagas — overview',
    'Throughput, outcomes, sagas in flight, latency, parked and stuck sagas, dead letters and lag.',
  )
    .withRow(row('Now'))
    .withPanel(
      stat(
        'Sagas running',
        { expr: gauge(M.sagasInFlight, [], { [L.sagaStatus]: 'running' }), legend: 'running' },
        {
          description: 'Sagas not ended and not parked, all types.',
          unit: 'short',
          consoleLink: { title: 'Running sagas in the console', filters: { status: 'running' } },
        },
      ),
    )
    .withPanel(
      stat(
        'Parked sagas',
        { expr: gauge(M.sagasInFlight, [], { [L.sagaStatus]: 'parked' }), legend: 'parked' },
        {
          description:
            'Sagas whose compensation ran out of retries: an operator must look (POST /v1/sagas/:id/retry).',
          unit: 'short',
          consoleLink: { title: 'Parked sagas in the console', filters: { status: 'parked' } },
        },
      ),
    )
    .withPanel(
      stat(
        'Oldest running saga',
        {
          expr: gauge(M.oldestInState, [], { [L.sagaStatus]: 'running' }, 'max'),
          legend: 'age',
        },
        {
          description: 'Age of the oldest saga still running: a stuck saga makes it grow.',
          unit: 's',
          consoleLink: { title: 'Running sagas in the console', filters: { status: 'running' } },
        },
      ),
    )
    .withPanel(
      stat(
        'Completed share',
        {
          expr: `${increase(M.sagaOutcomes, [], { [L.sagaStatus]: 'completed' })} / ${increase(M.sagaOutcomes)}`,
          legend: 'completed',
        },
        {
          description:
            'Share of the sagas that ended in the time range and completed ("none ended" when no saga ended).',
          unit: 'percentunit',
          whenNaN: 'none ended',
        },
      ),
    )
    .withPanel(
      stat(
        'Dead letters (range)',
        { expr: increase(M.dlqMessages), legend: 'orchestrator' },
        {
          description: 'Messages the orchestrator dead-lettered in the time range.',
          unit: 'short',
        },
      ),
    )
    .withPanel(
      stat(
        'Outbox backlog',
        { expr: gauge(M.outboxBacklog, [], {}, 'max'), legend: 'backlog' },
        { description: 'Messages written by steps, not yet on Kafka.', unit: 'short' },
      ),
    )
    .withRow(row('Throughput and outcomes'))
    .withPanel(
      timeseries(
        'Sagas started',
        [{ expr: rate(M.sagasStarted, [L.sagaType]), legend: '{{saga_type}}' }],
        { description: 'Starts per second by saga type.', unit: 'reqps' },
      ),
    )
    .withPanel(
      timeseries(
        'Outcomes',
        [{ expr: rate(M.sagaOutcomes, [L.sagaStatus]), legend: '{{saga_status}}' }],
        {
          description:
            'Sagas per second reaching completed, compensated, failed, cancelled or parked.',
          unit: 'reqps',
          stacked: true,
          consoleLink: {
            title: 'These sagas in the console',
            filters: { status: { label: L.sagaStatus } },
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Inputs applied and ignored',
        [
          { expr: rate(M.inputsApplied, [L.inputKind]), legend: 'applied {{saga_input_kind}}' },
          {
            expr: rate(M.inputsIgnored, [L.ignoredReason]),
            legend: 'ignored {{saga_ignored_reason}}',
          },
        ],
        {
          description:
            'Steps per second by what caused them; ignored inputs (duplicate or late replies, stale timers) by reason.',
          unit: 'reqps',
        },
      ),
    )
    .withRow(row('In flight'))
    .withPanel(
      timeseries(
        'Sagas in flight by type',
        [
          {
            expr: gauge(M.sagasInFlight, [L.sagaType, L.sagaStatus]),
            legend: '{{saga_type}} {{saga_status}}',
          },
        ],
        {
          description: 'Sagas not ended, by type and status.',
          unit: 'short',
          stacked: true,
          consoleLink: {
            title: 'These sagas in the console',
            filters: { type: { label: L.sagaType }, status: { label: L.sagaStatus } },
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Oldest saga per state (stuck sagas)',
        [
          {
            expr: gauge(M.oldestInState, [L.sagaType, L.sagaState], {}, 'max'),
            legend: '{{saga_type}} {{saga_state}}',
          },
        ],
        {
          description:
            'Age of the oldest saga in each state it has not left; a line that keeps rising is a stuck saga.',
          unit: 's',
          consoleLink: {
            title: 'Sagas in this state in the console',
            filters: { type: { label: L.sagaType }, state: { label: L.sagaState } },
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Timers',
        [
          { expr: gauge(M.timersPending, [], {}, 'max'), legend: 'pending' },
          { expr: gauge(M.timersOverdue, [], {}, 'max'), legend: 'most overdue (s)' },
        ],
        {
          description: 'Durable timers armed, and how far past due the most overdue one is.',
          unit: 'short',
        },
      ),
    )
    .withRow(row('Latency'))
    .withPanel(
      timeseries(
        'Step latency (command → reply)',
        [0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, M.stepDuration),
          legend: `p${q * 100}`,
          exemplar: true,
        })),
        {
          description: 'Percentiles of the time from sending a command to its reply, all steps.',
          unit: 's',
        },
      ),
    )
    .withPanel(
      timeseries(
        'Step latency p95 by step',
        [
          {
            expr: quantile(0.95, M.stepDuration, [L.sagaType, L.step]),
            legend: '{{saga_type}} {{saga_step}}',
            exemplar: true,
          },
        ],
        {
          description: 'p95 per step; click a series for its traces.',
          unit: 's',
          traceLink: stepTraces,
        },
      ),
    )
    .withPanel(
      timeseries(
        'Outbox and timer lag p95',
        [
          { expr: quantile(0.95, M.outboxLatency), legend: 'outbox → Kafka' },
          { expr: quantile(0.95, M.timerLag), legend: 'timer lateness' },
        ],
        {
          description: 'How long messages wait in the outbox, and how late timers fire.',
          unit: 's',
        },
      ),
    )
    .withRow(row('Dead letters and lag'))
    .withPanel(
      timeseries(
        'Dead letters',
        [
          {
            expr: rate(M.dlqMessages, [L.dlqSource, L.dlqCode]),
            legend: '{{saga_dlq_source}} {{saga_dlq_code}}',
          },
          {
            expr: rate(P.deadLettered, [L.participant, L.dlqCode]),
            legend: '{{saga_participant}} {{saga_dlq_code}}',
          },
        ],
        {
          description:
            'Messages sent to the dead-letter topic, by the orchestrator and by participants.',
          unit: 'reqps',
        },
      ),
    )
    .withPanel(
      timeseries(
        'Consumer lag',
        [
          {
            expr: gauge(M.consumerLag, [L.consumerGroup, L.messagingDestination], {}, 'max'),
            legend: '{{messaging_consumer_group_name}} {{messaging_destination_name}}',
          },
        ],
        {
          description: 'Messages each consumer group has yet to commit, per topic.',
          unit: 'short',
        },
      ),
    )
    .withPanel(
      timeseries(
        'Retries and timeouts',
        [
          { expr: rate(M.stepRetries, [L.sagaType]), legend: 'retries {{saga_type}}' },
          { expr: rate(M.stepTimeouts, [L.sagaType]), legend: 'timeouts {{saga_type}}' },
        ],
        {
          description: 'Commands sent again, and deadlines that passed, per second.',
          unit: 'reqps',
        },
      ),
    )
    .build();
}
