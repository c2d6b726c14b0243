/**
 * What `helm install` prints afterwards (NOTES.txt): how to reach the API, and warnings an operator
 * must not miss. helm template does not print the notes, so a scratch copy of the chart renders
 * the same named template into a ConfigMap.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import {
  CHART_DIR,
  findObject,
  helmBinary,
  HELM_BUILD_TIMEOUT_MS,
  PRODUCTION_VALUES,
  renderChart,
} from './chart.js';

describe('Helm chart: install notes', function () {
  this.timeout(HELM_BUILD_TIMEOUT_MS);
  let chart: string;

  before(function () {
    chart = path.join(mkdtempSync(path.join(tmpdir(), 'saga-chart-notes-')), 'saga-orchestrator');
    helmBinary();
    cpSync(CHART_DIR, chart, { recursive: true });
    writeFileSync(
      path.join(chart, 'templates', 'notes-preview.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-preview\ndata:\n' +
        '  notes: {{ include "saga.notes" . | quote }}\n',
    );
  });

  after(() => rmSync(path.dirname(chart), { recursive: true, force: true }));

  const notes = (options: { valuesFiles?: string[]; set?: string[] } = {}): string => {
    const configMap = findObject(
      renderChart({ ...options, chartDir: chart }),
      'ConfigMap',
      'notes-preview',
    );
    return (configMap.data as { notes: string }).notes;
  };

  it('tells how to reach the API and warns while it has no token', () => {
    const text = notes();
    expect(text).to.contain('port-forward service/saga-saga-orchestrator 8080:80');
    expect(text).to.contain('curl http://127.0.0.1:8080/readyz');
    expect(text).to.contain('WARNING: api.existingSecret is empty');
    expect(text).to.contain('Replicas: 2.');
    expect(text).to.not.contain('Example participants');
  });

  it('shows the production set-up, with the token in use and the participants running', () => {
    const text = notes({ valuesFiles: [PRODUCTION_VALUES] });
    expect(text).to.contain('Replicas: 3 to 12 (HorizontalPodAutoscaler).');
    expect(text).to.contain('(TLS) (SASL scram-sha-512)');
    expect(text).to.contain('Authorization: Bearer $TOKEN');
    expect(text).to.not.contain('WARNING');
    expect(text).to.contain(
      'Example participants are running (demo install): inventory payment shipping\n',
    );
  });

  it('points out replicas that would sit idle for lack of partitions', () => {
    expect(notes({ set: ['replicaCount=20'] })).to.contain('up to 20 replicas but 12 partitions');
    expect(notes({ set: ['topics.create=false'] })).to.contain('provision them beforehand');
  });
});
