/**
 * Takeover after a SIGKILL, measured: two orchestrator processes (`orchestrator/main.ts`) share one
 * consumer group and one store (8 shards over a 4-partition replies topic). The consumer group's
 * assignment is the only membership, so a killed member's shards move when the broker gives up on
 * its session (KAFKA_SESSION_TIMEOUT, 6 s by default) and the survivor's rebalance hands it the
 * partitions: the time to takeover must be that bound plus the rebalance, and nothing else.
 *
 * The path is forced: A owns shard `s` (read from its "shards owned" log line); a saga in `s`
 * started on A has a step deadline due 1.5 s after the kill (no participant answers, so only that
 * deadline can move it), and right after the kill a second saga is started in `s` through B's
 * API: its command sits in `s`'s outbox, which B does not own yet. The test times, from the kill,
 * until B has published that command and until B has fired the deadline.
 *
 * Then the graceful path: a third process C joins, and B gets SIGTERM. B leaves the group as it
 * stops, so C owns B's shards within a rebalance, not a session: a saga started through C in one
 * of them once B has exited is published by C, timed from the SIGTERM.
 */
import { expect } from 'chai';
import { shardOf } from '../../orchestrator/store/index.js';
import { eventually, until } from '../support/eventually.js';
import { useInfra } from '../support/infra.js';
import { orderInput } from '../support/orders.js';
import {
  orchestratorEnv,
  STORE_SHARDS,
  type OrchestratorProcess,
} from './support/orchestrator-process.js';
import { readerStore, useRunProcesses } from './support/order-run.js';
import { freePort } from '../support/free-port.js';

const SESSION_TIMEOUT_MS = 6_000;
/** Rebalance, metadata read and epoch bump; generous for a loaded 2-core machine. */
const MARGIN_MS = 4_000;

/** The shards each process logged it owns last (its "shards owned" lines, LOG_LEVEL=info). */
function lastOwned(p: OrchestratorProcess): number[] | undefined {
  let owned: number[] | undefined;
  for (const line of p.stderr().split('\n')) {
    if (!line.includes('"shards owned"')) continue;
    const { shards } = JSON.parse(line) as { shards: string };
    owned = shards === '' ? [] : shards.split(',').map(Number);
  }
  return owned;
}

/** A saga id whose store shard is `shard`. */
function idInShard(shard: number, label: string): string {
  for (let n = 0; ; n++) {
    const id = `takeover-${label}-${n}-${Math.random().toString(36).slice(2, 6)}`;
    if (shardOf(id, STORE_SHARDS) === shard) return id;
  }
}

async function startSaga(port: number, id: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/sagas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'order', id, input: orderInput() }),
  });
  expect(response.status, await response.text()).to.equal(201);
}

describe('takeover: SIGKILL the orchestrator process owning a shard with work in it (real Kafka and Redis)', function () {
  this.timeout(180_000);
  const run = useRunProcesses();
  const infra = useInfra('takeover-e2e');

  it('the survivor relays the shard’s outbox and fires its timer within the session timeout plus the rebalance', async () => {
    const prefix = infra.prefix;
    const store = readerStore(infra.redis, prefix);
    const [portA, portB] = [await freePort(), await freePort()];
    const env = (port: number) => ({ ...orchestratorEnv(prefix, port), LOG_LEVEL: 'info' });
    const a = run.spawnOrchestrator(env(portA));
    await a.ready;
    const b = run.spawnOrchestrator(env(portB));
    await b.ready;

    const [ownedByA, ownedByB] = await eventually(
      'the two processes to split the shards',
      () => {
        a.assertRunning();
        b.assertRunning();
        const [ofA, ofB] = [lastOwned(a), lastOwned(b)];
        if (!ofA || !ofB || ofA.length === 0 || ofB.length === 0) return undefined;
        const all = [...ofA, ...ofB].sort((x, y) => x - y);
        return all.length === STORE_SHARDS && all.every((s, i) => s === i) ? [ofA, ofB] : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const shard = ownedByA[0] ?? -1;
    expect(ownedByB).to.not.include(shard);

    // A saga in A's shard whose first step's deadline (10 s) will be due soon after the kill.
    const timed = idInShard(shard, 'timer');
    await startSaga(portA, timed);
    const record = await store.load(timed);
    const dueAt = Math.min(...(record?.timers ?? []).map((timer) => timer.dueAt));
    expect(Number.isFinite(dueAt), 'the step deadline is armed').to.equal(true);
    // Kill 1.5 s before the deadline: A cannot have claimed the timer, and its command is out.
    await until('1.5 s before the deadline', () => Date.now() >= dueAt - 1_500, 15_000);
    expect(await store.outboxLengths([shard]), 'A published the first command').to.deep.equal([0]);

    a.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await a.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
    // Work for A's shard that only the shard's next owner can publish.
    await startSaga(portB, idInShard(shard, 'outbox'));
    expect(
      (await store.outboxLengths([shard]))[0],
      'the command waits in the dead owner’s shard',
    ).to.be.greaterThan(0);

    const relayedAt = await eventually(
      'the survivor to publish the dead owner’s shard',
      async () => ((await store.outboxLengths([shard]))[0] === 0 ? Date.now() : undefined),
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const fired = await eventually(
      'the survivor to fire the deadline in the dead owner’s shard',
      async () =>
        (await store.history(timed, { limit: 50 })).entries.find((e) => e.kind === 'timer'),
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const relayMs = relayedAt - killedAt;
    const timerLateMs = fired.at - dueAt;
    const timerMs = fired.at - killedAt;
    console.log(
      `      takeover after SIGKILL (session timeout ${SESSION_TIMEOUT_MS} ms): outbox relayed ` +
        `after ${relayMs} ms, timer fired ${timerMs} ms after the kill (${timerLateMs} ms late)`,
    );
    expect(b.hasExited()).to.equal(false);
    expect(lastOwned(b)).to.include(shard);
    expect(relayMs).to.be.below(SESSION_TIMEOUT_MS + MARGIN_MS);
    expect(timerMs).to.be.below(SESSION_TIMEOUT_MS + MARGIN_MS);
    // Nothing moved the shard before the session ran out: the bound is the session, as designed.
    expect(relayMs).to.be.at.least(1_500);

    // Graceful: C joins, B is stopped with SIGTERM and hands its shards over at once.
    const portC = await freePort();
    const c = run.spawnOrchestrator(env(portC));
    await c.ready;
    const [ownedByB2] = await eventually(
      'B and C to split the shards',
      () => {
        const [ofB, ofC] = [lastOwned(b), lastOwned(c)];
        if (!ofB || !ofC || ofB.length === 0 || ofC.length === 0) return undefined;
        const all = [...ofB, ...ofC].sort((x, y) => x - y);
        return all.length === STORE_SHARDS && all.every((s, i) => s === i) ? [ofB, ofC] : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const handed = ownedByB2[0] ?? -1;
    b.kill('SIGTERM');
    const stoppedAt = Date.now();
    expect(await b.exited).to.deep.equal({ code: 0, signal: null });
    const exitedMs = Date.now() - stoppedAt;
    await startSaga(portC, idInShard(handed, 'graceful'));
    const handedAt = await eventually(
      'C to publish the stopped owner’s shard',
      async () => ((await store.outboxLengths([handed]))[0] === 0 ? Date.now() : undefined),
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    const gracefulMs = handedAt - stoppedAt;
    console.log(
      `      handover after SIGTERM: the stopping process exited after ${exitedMs} ms; its ` +
        `shard's new work was published ${gracefulMs} ms after the SIGTERM`,
    );
    expect(lastOwned(c)).to.include(handed);
    // Well inside the session: the group rebalanced when B left, it did not wait for B to expire.
    expect(gracefulMs).to.be.below(SESSION_TIMEOUT_MS);
  });
});
