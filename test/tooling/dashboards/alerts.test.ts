import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

describe('dashboards: Prometheus alert rules (promtool)', function () {
  this.timeout(60_000);

  it('passes promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', 'dashboards/alerts.yaml'], {
      cwd: root,
    });
    expect(stdout).to.match(/SUCCESS: 7 rules found/u);
  });

  it('fires the parked, stuck, dead-letter, lag and overdue-timer alerts on synthetic series (promtool test rules)', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', 'alerts.promtool.yaml'], {
      cwd: path.join(root, 'test', 'tooling', 'dashboards'),
    });
    expect(stdout).to.match(/SUCCESS/u);
  });

  it('fails promtool test rules when an alert does not behave as tested (the check can fail)', async () => {
    // The same tests against rules whose parked threshold can never be reached.
    const dir = await mkdtemp(path.join(tmpdir(), 'alerts-'));
    try {
      const rules = await readFile(path.join(root, 'dashboards', 'alerts.yaml'), 'utf8');
      const broken = rules.replace('saga_status="parked"}) > 0', 'saga_status="parked"}) > 99');
      expect(broken).not.to.equal(rules);
      // The tests name their rules as ../../../dashboards/alerts.yaml.
      const testsDir = path.join(dir, 'test', 'tooling', 'dashboards');
      await mkdir(testsDir, { recursive: true });
      await mkdir(path.join(dir, 'dashboards'));
      await writeFile(path.join(dir, 'dashboards', 'alerts.yaml'), broken);
      await copyFile(
        path.join(root, 'test', 'tooling', 'dashboards', 'alerts.promtool.yaml'),
        path.join(testsDir, 'alerts.promtool.yaml'),
      );
      const output = await run(PROMTOOL, ['test', 'rules', 'alerts.promtool.yaml'], {
        cwd: testsDir,
      }).then(
        () => 'promtool passed',
        (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`,
      );
      expect(output).to.match(/FAILED[\s\S]*alertname: SagaParked/u);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
