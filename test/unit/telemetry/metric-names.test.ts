import { expect } from 'chai';
import {
  ALL_METRICS,
  ATTRIBUTES,
  ORCHESTRATOR_METRICS,
  PARTICIPANT_METRICS,
  PARTICIPANT_METRIC_DEFINITIONS,
  prometheusName,
} from '../../../wire/telemetry/metric-names.js';
import { sagaStatesOf } from '../../../orchestrator/telemetry/saga-states.js';
import {
  PARTICIPANT_ATTRIBUTES,
  PARTICIPANT_METRICS as SDK_METRICS,
} from '../../../participants/sdk/telemetry-names.js';
import orderSaga from '../../../sagas/order/index.js';

describe('telemetry: the one names module', () => {
  it('names every metric once, in OpenTelemetry style (dotted, lower case, no unit, no _total)', () => {
    const names = ALL_METRICS.map((m) => m.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const metric of ALL_METRICS) {
      expect(metric.name).to.match(/^saga(\.[a-z][a-z_]*)+$/u);
      expect(metric.name).not.to.match(/_total$|_seconds$|\.seconds$|_ms$/u);
      expect(metric.description.length, metric.name).to.be.greaterThan(10);
      for (const attribute of metric.attributes) {
        expect(Object.values(ATTRIBUTES), metric.name).to.include(attribute);
      }
      // Never an unbounded label.
      expect(metric.attributes).not.to.include.members([ATTRIBUTES.sagaId, ATTRIBUTES.commandId]);
    }
  });

  it('gives the names the Prometheus exporter serves', () => {
    expect(prometheusName(ORCHESTRATOR_METRICS.sagasStarted)).to.equal('saga_sagas_started_total');
    expect(prometheusName(ORCHESTRATOR_METRICS.stepDuration)).to.equal('saga_step_duration');
    expect(prometheusName(ORCHESTRATOR_METRICS.sagasInFlight)).to.equal('saga_sagas_in_flight');
    expect(prometheusName(PARTICIPANT_METRIC_DEFINITIONS.deadLettered)).to.equal(
      'saga_participant_commands_dead_lettered_total',
    );
  });

  it('is where the participant SDK takes its names from', () => {
    expect(SDK_METRICS).to.equal(PARTICIPANT_METRICS);
    for (const value of Object.values(PARTICIPANT_ATTRIBUTES)) {
      expect(Object.values(ATTRIBUTES)).to.include(value);
    }
  });

  it('lists the states a saga rests in, with their status, leaving out transient final children', () => {
    const states = sagaStatesOf(orderSaga.machine);
    const paths = states.map((s) => s.path);
    expect(paths).to.include.members(['reserveInventory.attempting', 'awaitingApproval', 'parked']);
    expect(paths).not.to.include('reserveInventory.done');
    expect(states.find((s) => s.path === 'parked')?.status).to.equal('parked');
    expect(states.find((s) => s.path === 'compensated')).to.deep.equal({
      path: 'compensated',
      status: 'compensated',
      final: true,
      match: 'exact',
    });
  });
});
