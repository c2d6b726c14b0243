/**
 * Prometheus alert rules (rule-file format), from the same names as the dashboards. Thresholds
 * are defaults to tune per deployment; each rule says what to do in its `description`.
 */
import { OVERVIEW_UID } from './overview.js';
import { L, M, P, gauge, increase, quantile } from './promql.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'warning' | 'critical' };
  annotations: { summary: string; description: string; dashboard: string };
}

export interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}

/** Seconds a running saga may stay in one state before it counts as stuck. */
export const STUCK_AFTER_SECONDS = 1800;

const dashboard = `/d/${OVERVIEW_UID}`;

export function alertRules(): RuleFile {
  const rules: AlertRule[] = [
    {
      alert: 'SagaParked',
      expr: `${gauge(M.sagasInFlight, [L.sagaType], { [L.sagaStatus]: 'parked' })} > 0`,
      for: '1m',
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $value }} {{ $labels.saga_type }} saga(s) parked',
        description:
          'A compensation ran out of retries. Find them with GET /v1/sagas?status=parked, fix the participant, then POST /v1/sagas/:id/retry.',
        dashboard,
      },
    },
    {
      alert: 'SagaStuckInState',
      expr: `${gauge(M.oldestInState, [L.sagaType, L.sagaState], { [L.sagaStatus]: 'running' }, 'max')} > ${STUCK_AFTER_SECONDS}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary:
          'A {{ $labels.saga_type }} saga has been running for {{ $value | humanizeDuration }} and sits in {{ $labels.saga_state }}',
        description: `The oldest running saga in this state started more than ${STUCK_AFTER_SECONDS / 60} minutes ago. Look at it with GET /v1/sagas?type=<type>&state=<state>; check the participant it waits for, timer lag and consumer lag.`,
        dashboard,
      },
    },
    {
      alert: 'SagaDeadLetters',
      expr: `${increase(M.dlqMessages, [L.dlqSource, L.dlqCode], {}, '10m')} > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary:
          '{{ $value }} message(s) dead-lettered by {{ $labels.saga_dlq_source }} ({{ $labels.saga_dlq_code }})',
        description:
          'The orchestrator could not process messages; read the dead-letter topic (the dlq-reason header says why).',
        dashboard,
      },
    },
    {
      alert: 'ParticipantDeadLetters',
      expr: `${increase(P.deadLettered, [L.participant, L.dlqCode], {}, '10m')} > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary:
          '{{ $value }} command(s) dead-lettered by {{ $labels.saga_participant }} ({{ $labels.saga_dlq_code }})',
        description: 'A participant could not process commands; read the dead-letter topic.',
        dashboard,
      },
    },
    {
      alert: 'SagaConsumerLag',
      expr: `${gauge(M.consumerLag, [L.consumerGroup, L.messagingDestination], {}, 'max')} > 1000`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary:
          '{{ $labels.messaging_consumer_group_name }} is {{ $value }} messages behind on {{ $labels.messaging_destination_name }}',
        description:
          'Consumers do not keep up: add instances (up to the partition count) or find the slow handler.',
        dashboard,
      },
    },
    {
      alert: 'SagaTimerLag',
      expr: `${quantile(0.99, M.timerLag, [], {}, '5m')} > 5`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Timers fire {{ $value | humanizeDuration }} late (p99)',
        description: 'Deadlines and retries are late: the timer poller or Redis is overloaded.',
        dashboard,
      },
    },
    {
      alert: 'SagaTimersOverdue',
      expr: `${gauge(M.timersOverdue, [], {}, 'max')} > 60`,
      for: '2m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'A timer is {{ $value | humanizeDuration }} past due',
        description:
          'Nobody fires timers: are orchestrator instances running and are they in the consumer group (its replies partitions carry the store shards)?',
        dashboard,
      },
    },
  ];
  return { groups: [{ name: 'saga-orchestrator', rules }] };
}
