/**
 * The container image, built and run: the orchestrator and the three example participants run as
 * containers from the project's image (built with podman by `scripts/build-image.sh`, see the
 * README's "Deploying"), read-only root and host network, against the Kafka and Redis the suite
 * uses (every KAFKA_* and REDIS_* variable of the test's environment is passed on: point them at
 * the cluster topology and the containers run there). Order sagas started through the
 * orchestrator container's API end as planned, each step done once; the orchestrator runs as uid
 * 1000 on a root it cannot write, serves the operator console at /ui, and exits 0 on SIGTERM
 * (node is the container's PID 1, so the signal must reach its handler, not be ignored).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { eventually, within } from '../support/eventually.js';
import { useInfra } from '../support/infra.js';
import { checkRun } from './support/check-run.js';
import { connectionEnv, podman, useContainers } from './support/containers.js';
import { freePort, orchestratorEnv } from './support/orchestrator-process.js';
import {
  planOrders,
  progressOf,
  readerStore,
  seedOrderParticipants,
  startViaApi,
} from './support/order-run.js';

const PARTICIPANTS = ['inventory', 'payment', 'shipping'] as const;
const root = path.resolve(import.meta.dirname, '../..');

interface PackageJson {
  devDependencies: Record<string, string>;
}

describe('container image: orchestrator and participants as podman containers (real Kafka and Redis)', function () {
  this.timeout(240_000);
  // Before useInfra: the containers are removed before the file's topics and keys.
  const containers = useContainers(() => infra.prefix);
  const infra = useInfra('image-e2e');

  it('completes order sagas started through the API, as uid 1000 on a read-only root, with the console at /ui', async () => {
    const prefix = infra.prefix;
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const orders = planOrders(20, 'image');
    const participantsKeyPrefix = `${prefix}:shop`;
    await seedOrderParticipants(infra.redis, participantsKeyPrefix, orders);

    const orchestrator = containers.run(
      'orchestrator',
      { ...connectionEnv(), ...orchestratorEnv(prefix, port) },
      [], // the image's CMD: dist/orchestrator/main.js
    );
    await within('the orchestrator container to be ready', orchestrator.ready, 90_000);
    // The participants' command topics exist now (the orchestrator made them).
    const participants = PARTICIPANTS.map((name) =>
      containers.run(
        name,
        {
          ...connectionEnv(),
          SAGA_TOPIC_PREFIX: prefix,
          PARTICIPANT_KEY_PREFIX: participantsKeyPrefix,
          LOG_LEVEL: 'warn',
          KAFKA_HEARTBEAT_INTERVAL: '500ms',
          KAFKA_MAX_WAIT: '100ms',
        },
        ['dist/participants/main.js', name],
      ),
    );
    await within(
      'the participant containers to be ready',
      Promise.all(participants.map((p) => p.ready)),
      90_000,
    );

    // What the image promises a Kubernetes pod: non-root, nothing written to its root.
    const orchestratorContainer = containers.containerName('orchestrator');
    const exec = (...args: string[]) => podman(['exec', orchestratorContainer, ...args]);
    expect((await exec('id', '-u')).trim(), 'uid in the container').to.equal('1000');
    const write = await exec('sh', '-c', 'touch /app/probe 2>&1 || true');
    expect(write, 'writing under /app').to.match(/Read-only file system/u);
    expect(
      (
        await podman([
          'inspect',
          '--format',
          '{{.HostConfig.ReadonlyRootfs}}',
          orchestratorContainer,
        ])
      ).trim(),
    ).to.equal('true');

    // Production dependencies only: none of the development ones (tsc, tsx, mocha, esbuild, …).
    const devDependencies = Object.keys(
      (JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as PackageJson)
        .devDependencies,
    );
    const shipped = await exec(
      'node',
      '-e',
      'const fs = require("fs"); console.log(JSON.stringify(process.argv.slice(1).filter((d) => fs.existsSync(`node_modules/${d}`))))',
      ...devDependencies,
    );
    expect(devDependencies).to.include('typescript');
    expect(JSON.parse(shipped), 'development dependencies in the image').to.deep.equal([]);
    expect((await exec('ls', 'node_modules')).split('\n'), 'production ones').to.include('kafkajs');

    // The console the image ships (dist/console, built by npm run build), and one of its assets.
    const page = await fetch(`${apiUrl}/ui/`);
    const html = await page.text();
    expect(page.status, html).to.equal(200);
    expect(html).to.include('<title>Saga console</title>');
    const script = /<script type="module" src="([^"]+)"/u.exec(html)?.[1];
    expect(script, html).to.be.a('string');
    const asset = await fetch(`${apiUrl}${script}`);
    expect(asset.status).to.equal(200);
    expect(asset.headers.get('content-type')).to.match(/javascript/u);

    await Promise.all(orders.map((order) => startViaApi(apiUrl, order)));
    const store = readerStore(infra.redis, prefix);
    await eventually(
      'every saga to end',
      async () => {
        for (const container of [orchestrator, ...participants]) container.assertRunning();
        return (await progressOf(store, orders)).ended === orders.length ? true : undefined;
      },
      120_000,
      100,
    );

    // SIGTERM reaches node as the containers' PID 1 (podman proxies the signal): graceful exits.
    for (const container of [...participants, orchestrator]) {
      container.kill('SIGTERM');
      const exit = await within('a container to stop', container.exited, 60_000);
      expect(exit, container.stderr().slice(-3000)).to.deep.equal({ code: 0, signal: null });
    }

    const findings = await checkRun(store, infra.redis, participantsKeyPrefix, orders);
    expect(findings.problems, findings.problems.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(findings.byStatus).to.deep.equal({ completed: 14, compensated: 6 });
  });
});
