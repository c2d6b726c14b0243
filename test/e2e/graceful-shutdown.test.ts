/**
 * Graceful shutdown: SIGTERM to the orchestrator process in the middle of a run of order sagas.
 * It must exit 0 — its own SHUTDOWN_TIMEOUT timer would exit 1 — having stopped consuming,
 * published everything its outbox held and left the consumer group (whose assignment is the
 * shards' ownership: the next member takes them at once, not after a session); a new process started
 * afterwards (and requests sent while none ran) finishes every saga, each in its one right
 * terminal state, nothing lost and nothing done twice.
 */
import { expect } from 'chai';
import { eventually, within } from '../support/eventually.js';
import { useInfra } from '../support/infra.js';
import { checkRun } from './support/check-run.js';
import { orchestratorEnv } from './support/orchestrator-process.js';
import {
  planOrders,
  progressOf,
  readerStore,
  sendStartRequests,
  startViaApi,
  useRunProcesses,
} from './support/order-run.js';
import { freePort } from '../support/free-port.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;

describe('graceful shutdown: SIGTERM to the orchestrator process during a run (real Kafka and Redis)', function () {
  this.timeout(240_000);
  // Before useInfra: no process outlives the file, and the participants stop first.
  const run = useRunProcesses();
  const infra = useInfra('shutdown-e2e');

  it('exits 0 with its outbox flushed and its shards handed back; a restart finishes every saga', async () => {
    const prefix = infra.prefix;
    const port = await freePort();
    const env = { ...orchestratorEnv(prefix, port), SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms` };
    const store = readerStore(infra.redis, prefix);
    const orders = planOrders(150, 'stop');
    const [viaApi, whileDown] = [orders.slice(0, 100), orders.slice(100)];
    const start = () => {
      return run.spawnOrchestrator(env);
    };

    let orchestrator = start();
    await orchestrator.ready;
    const participants = await run.startParticipants(infra, orders);
    // The first hundred through the process's HTTP API (each answered once its state is stored).
    for (let i = 0; i < viaApi.length; i += 25) {
      await Promise.all(
        viaApi.slice(i, i + 25).map((order) => startViaApi(`http://127.0.0.1:${port}`, order)),
      );
    }

    await eventually(
      'a fifth of the sagas to end',
      async () => {
        orchestrator.assertRunning();
        return (await progressOf(store, viaApi)).ended >= viaApi.length / 5 ? true : undefined;
      },
      120_000,
      20,
    );
    const atStop = await progressOf(store, viaApi);
    orchestrator.kill('SIGTERM');
    const exit = await within(
      'the orchestrator to exit after SIGTERM',
      orchestrator.exited,
      SHUTDOWN_TIMEOUT_MS + 30_000,
    ).catch((error: Error) => error.message);
    expect(exit, orchestrator.stderr().slice(-3000)).to.deep.equal({ code: 0, signal: null });
    expect(atStop.running, 'sagas in flight when it was stopped').to.be.greaterThan(0);

    // What the graceful path promises, seen from outside: nothing left to publish, no member
    // left in the group (it left; a killed one stays listed until its session expires, 6 s), so
    // the next instance takes the shards at once; no saga lost.
    expect(await store.outboxBacklog(), 'outbox entries left').to.equal(0);
    const { groups } = await infra.admin.describeGroups([`${prefix}.orchestrator`]);
    expect(groups[0]?.members ?? [], 'members left in the group').to.deep.equal([]);
    const afterStop = await progressOf(store, viaApi);
    expect(afterStop.missing, 'sagas the API had started').to.equal(0);

    // Requests arrive while no orchestrator runs; the next one picks everything up.
    await sendStartRequests(await infra.producer({ idempotent: true }), prefix, whileDown);
    orchestrator = start();
    await orchestrator.ready;
    await eventually(
      'every saga to end',
      async () => {
        orchestrator.assertRunning();
        return (await progressOf(store, orders)).ended === orders.length ? true : undefined;
      },
      180_000,
      250,
    );
    orchestrator.kill('SIGTERM');
    expect(await orchestrator.exited).to.deep.equal({ code: 0, signal: null });
    await participants.stop();

    const findings = await checkRun(store, infra.redis, participants.keyPrefix, orders);
    console.log(
      `      SIGTERM at ${JSON.stringify(atStop)}; outcomes ${JSON.stringify(findings.byStatus)}, ` +
        `step retries ${findings.stepRetries}`,
    );
    expect(findings.problems, findings.problems.slice(0, 5).join('\n')).to.deep.equal([]);
    expect(findings.byStatus).to.deep.equal({ completed: 105, compensated: 45 });
  });
});
