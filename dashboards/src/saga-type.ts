/**
 * One dashboard per saga type: its flow, its steps, and a panel for every state of its
 * statechart (the states come from the definition, as the gauges report them).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { SagaDefinition } from '../../orchestrator/engine/types.js';
import { sagaStatesOf, type SagaStateInfo } from '../../orchestrator/telemetry/saga-states.js';
import { dashboard, row, timeseries } from './panels.js';
import { L, M, countRate, gauge, literal, quantile, rate, type Matchers } from './promql.js';

export const sagaTypeUid = (type: string) => `saga-type-${type}`;

function stateMatcher(type: string, state: SagaStateInfo): Matchers {
  return {
    [L.sagaType]: type,
    [L.sagaState]: state.match === 'exact' ? state.path : new RegExp(`${literal(state.path)}\\..*`),
  };
}

function statePanel(type: string, state: SagaStateInfo) {
  const matchers = stateMatcher(type, state);
  const entries = {
    expr: `60 * ${rate(M.stateEntries, [], matchers)}`,
    legend: 'entered / min',
  };
  const queries = state.final
    ? [entries]
    : [{ expr: gauge(M.sagasInFlight, [], matchers), legend: 'in state now' }, entries];
  const what = state.final
    ? `a final state: the saga ends ${state.status}`
    : `sagas here are ${state.status}`;
  return timeseries(state.path, queries, {
    description: `State \`${state.path}\` (${what}). In state now, and sagas entering it per minute.`,
    unit: 'short',
    width: 6,
    height: 6,
    consoleLink: {
      title: `${type} sagas in ${state.path} in the console`,
      filters: { type, state: state.path },
    },
  });
}

export function sagaTypeDashboard(definition: SagaDefinition): Dashboard {
  const { type } = definition;
  const only: Matchers = { [L.sagaType]: type };
  const states = sagaStatesOf(definition.machine);
  let board = dashboard(
    sagaTypeUid(type),
    `Saga — ${type}`,
    `The ${type} saga (definition version ${definition.version}): flow, steps, and every state of its statechart.`,
  )
    .withRow(row('Flow'))
    .withPanel(
      timeseries(
        'Started and outcomes',
        [
          { expr: rate(M.sagasStarted, [], only), legend: 'started' },
          { expr: rate(M.sagaOutcomes, [L.sagaStatus], only), legend: '{{saga_status}}' },
        ],
        {
          description: `${type} sagas started, and reaching each outcome, per second.`,
          unit: 'reqps',
          consoleLink: { title: `${type} sagas in the console`, filters: { type } },
        },
      ),
    )
    .withPanel(
      timeseries(
        'In flight by state',
        [{ expr: gauge(M.sagasInFlight, [L.sagaState], only), legend: '{{saga_state}}' }],
        {
          description: 'Sagas in each state now.',
          unit: 'short',
          stacked: true,
          consoleLink: {
            title: 'Sagas in this state in the console',
            filters: { type, state: { label: L.sagaState } },
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Oldest saga per state',
        [{ expr: gauge(M.oldestInState, [L.sagaState], only, 'max'), legend: '{{saga_state}}' }],
        {
          description: 'Age of the oldest saga in each state; a rising line is a stuck saga.',
          unit: 's',
          consoleLink: {
            title: 'Sagas in this state in the console',
            filters: { type, state: { label: L.sagaState } },
          },
        },
      ),
    )
    .withRow(row('Steps'))
    .withPanel(
      timeseries(
        'Step latency p95',
        [
          {
            expr: quantile(0.95, M.stepDuration, [L.step, L.stepKind], only),
            legend: '{{saga_step}} {{saga_step_kind}}',
            exemplar: true,
          },
        ],
        {
          description: 'Command → reply, p95 per step and kind; click a series for its traces.',
          unit: 's',
          traceLink: {
            title: 'Traces of this step',
            traceql: `{ span.saga.type = "${type}" && span.saga.step = "\${__field.labels.saga_step}" && kind = producer }`,
          },
        },
      ),
    )
    .withPanel(
      timeseries(
        'Step outcomes',
        [
          {
            expr: countRate(M.stepDuration, [L.step, L.stepOutcome], only),
            legend: '{{saga_step}} {{saga_step_outcome}}',
          },
        ],
        {
          description: 'Steps per second ending in success, failure, timeout or abandonment.',
          unit: 'reqps',
          stacked: true,
        },
      ),
    )
    .withPanel(
      timeseries(
        'Time in state p95',
        [
          {
            expr: quantile(0.95, M.stateDuration, [L.sagaState], only),
            legend: '{{saga_state}}',
          },
        ],
        { description: 'How long sagas stay in each state before leaving it, p95.', unit: 's' },
      ),
    )
    .withPanel(
      timeseries(
        'Commands, retries, timeouts',
        [
          {
            expr: rate(M.commandsSent, [L.participant], only),
            legend: 'sent to {{saga_participant}}',
          },
          { expr: rate(M.stepRetries, [L.step], only), legend: 'retries {{saga_step}}' },
          { expr: rate(M.stepTimeouts, [L.step], only), legend: 'timeouts {{saga_step}}' },
        ],
        {
          description: 'Commands sent per participant; retries and timeouts per step.',
          unit: 'reqps',
          width: 16,
        },
      ),
    )
    .withRow(row('States'));
  for (const state of states) board = board.withPanel(statePanel(type, state));
  return board.build();
}
