/**
 * The container image, built and run on the cluster topology: the orchestrator and the three
 * example participants run as containers from the project's image (built with podman by
 * `scripts/build-image.sh`, see docs/container-image.md), read-only root and host network,
 * against three KRaft brokers (topics with replication factor 3) and a Redis Cluster of three
 * primaries with a replica each, started by this file on ports of its own (29492 for the brokers,
 * 17679 for the Redis nodes; CLUSTER_TEST_KAFKA_PORT / CLUSTER_TEST_REDIS_PORT move them). Order
 * sagas started through the orchestrator container's API end as planned, each step done once, as
 * the test's own reader on the Redis Cluster sees them; the orchestrator runs as uid 1000 on a
 * root it cannot write, serves the operator console at /ui, and exits 0 on SIGTERM (node is the
 * container's PID 1, so the signal must reach its handler, not be ignored).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { createRedisClient, type RedisClient } from '../../orchestrator/store/index.js';
import { useClusterInfra } from '../support/cluster-infra.js';
import { eventually, within } from '../support/eventually.js';
import { uniquePrefix } from '../support/infra.js';
import { checkEffects } from './support/check-effects.js';
import { checkRun } from './support/check-run.js';
import { clusterConnectionEnv, podman, useContainers } from './support/containers.js';
import { orchestratorEnv } from './support/orchestrator-process.js';
import {
  planOrders,
  progressOf,
  readerStore,
  seedOrderParticipants,
  startViaApi,
} from './support/order-run.js';
import { freePort } from '../support/free-port.js';

const PARTICIPANTS = ['inventory', 'payment', 'shipping'] as const;
const root = path.resolve(import.meta.dirname, '../..');

interface PackageJson {
  devDependencies: Record<string, string>;
}

describe('container image: orchestrator and participants as podman containers on the cluster topology', function () {
  this.timeout(240_000);
  const prefix = uniquePrefix('image-e2e');
  let redis: RedisClient | undefined;
  // The containers go first, then the test's client, then the cluster (after hooks run in the
  // order they were registered).
  const containers = useContainers(() => prefix);
  after(() => redis?.disconnect());
  const cluster = useClusterInfra({ kafkaPort: 29_492, redisPort: 17_679 });

  before(() => {
    redis = createRedisClient({ clusterNodes: cluster.redisNodes });
  });

  it('completes order sagas started through the API, as uid 1000 on a read-only root, with the console at /ui', async () => {
    if (!redis) throw new Error('the Redis Cluster client is made in before()');
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const orders = planOrders(20, 'image');
    const participantsKeyPrefix = `${prefix}:shop`;
    await seedOrderParticipants(redis, participantsKeyPrefix, orders);
    const connection = clusterConnectionEnv(cluster);

    const orchestrator = containers.run(
      'orchestrator',
      { ...connection, ...orchestratorEnv(prefix, port) },
      [], // the image's CMD: dist/orchestrator/main.js
    );
    await within('the orchestrator container to be ready', orchestrator.ready, 90_000);
    // The participants' command topics exist now (the orchestrator made them).
    const participants = PARTICIPANTS.map((name) =>
      containers.run(
        name,
        {
          ...connection,
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
    const store = readerStore(redis, prefix);
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

    const findings = await checkRun(store, redis, participantsKeyPrefix, orders);
    expect(findings.problems, findings.problems.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(findings.byStatus).to.deep.equal({ completed: 14, compensated: 6 });
    const effects = await checkEffects(store, redis, participantsKeyPrefix, orders);
    expect(effects.missing).to.deep.equal([]);
    expect(effects.running).to.deep.equal([]);
    expect(effects.doubleEffects, effects.doubleEffects.join('\n')).to.deep.equal([]);
  });
});
