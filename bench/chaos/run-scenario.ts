/**
 * One scenario from start to verdict: plan the orders from the seed, seed the participants, start
 * the processes, send the orders at a steady rate, inject the fault, wait until every saga ended
 * (or the bound passed), then read the end from the store and the participants' own state.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createKafkaClient } from '../../wire/kafka/index.js';
import { createSagaStore, createStoreKeys } from '../../orchestrator/store/index.js';
import { deterministicFraction } from '../../participants/examples/index.js';
import { checkEffects } from '../../test/e2e/support/check-effects.js';
import { STORE_SHARDS } from '../../test/e2e/support/orchestrator-process.js';
import {
  planOrders,
  seedOrderParticipants,
  type Expected,
  type PlannedOrder,
} from '../../test/e2e/support/order-run.js';
import { deleteKeys, removeSession } from '../harness/session-infra.js';
import { connectRedis, type ChaosInfra } from './chaos-infra.js';
import { chaosConnection, startCluster, type Cluster } from './cluster.js';
import { monitorProgress, startOrders, type Monitor, type Starter } from './load.js';
import type { FaultOutcome, FaultTiming, Scenario } from './scenarios.js';
import type { ScenarioResult } from './verdict.js';

export interface RunSettings {
  sagas: number;
  seed: string;
  /** Sagas started per second through the HTTP API. */
  ratePerSecond: number;
  orchestrators: number;
  /** Env for every process on top of the shipped defaults (empty: the defaults). */
  extraEnv: Readonly<Record<string, string>>;
  timing: FaultTiming;
  /** After the last start and the fault's end, how long sagas may take to end before `stuck`. */
  settleMs: number;
  log: (line: string) => void;
}

/**
 * The seeded plan: each order completes (70 %), runs out of stock (10 %) or is declined (20 %),
 * decided by the seed and its position, so every scenario of a seed runs the same orders.
 */
export function plannedOrders(sagas: number, seed: string): PlannedOrder[] {
  const outcomeOf = (i: number): Expected => {
    const coin = deterministicFraction(seed, `order-${i}`);
    return coin < 0.7 ? 'completed' : coin < 0.8 ? 'out-of-stock' : 'declined';
  };
  return planOrders(sagas, 'chaos', outcomeOf);
}

/** Runs `scenario` on `infra` and returns its figures (the verdict is the caller's). */
export async function runScenario(
  scenario: Scenario,
  infra: ChaosInfra,
  settings: RunSettings,
): Promise<Omit<ScenarioResult, 'baselineByStatus' | 'acceptance'>> {
  const began = Date.now();
  const extraEnv = { ...settings.extraEnv, ...scenario.env };
  const prefix = `chaos-${scenario.name}-${randomUUID().slice(0, 6)}`;
  const orders = plannedOrders(settings.sagas, settings.seed);
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line);
    settings.log(`  [${scenario.name}] ${line}`);
  };
  // Commands wait for a reconnect instead of failing after 20 tries: the store's Redis may be
  // down for seconds on purpose.
  const storeRedis = connectRedis(infra.storeRedisEnv, { maxRetriesPerRequest: null });
  const participantsRedis = connectRedis(infra.participantsRedisEnv);
  storeRedis.on('error', () => undefined);
  participantsRedis.on('error', () => undefined);
  const kafka = createKafkaClient({
    brokers: infra.brokers.split(','),
    clientId: `${prefix}-harness`,
    logLevel: 'silent',
  });
  const store = createSagaStore({ redis: storeRedis, keyPrefix: prefix, shards: STORE_SHARDS });
  let cluster: Cluster | undefined;
  let monitor: Monitor | undefined;
  let starter: Starter | undefined;
  let fault: FaultOutcome | undefined;
  try {
    await seedOrderParticipants(participantsRedis, `${prefix}:shop`, orders);
    cluster = await startCluster({
      connection: chaosConnection(infra),
      prefix,
      orchestrators: scenario.orchestrators ?? settings.orchestrators,
      extraEnv,
    });
    note(`processes ready after ${(Date.now() - began) / 1000}s`);
    const running = cluster;
    monitor = monitorProgress(store, orders, () => running.assertRunning());
    const runStart = Date.now();
    starter = startOrders(
      orders,
      cluster.httpPorts,
      scenario.ratePerSecond ?? settings.ratePerSecond,
      scenario.startTimeouts?.giveUpMs,
      scenario.startTimeouts?.requestMs,
    );
    if (scenario.inject) {
      fault = await scenario.inject({
        cluster,
        infra,
        kafka,
        store,
        storeRedis,
        storeKeys: createStoreKeys(prefix, STORE_SHARDS),
        monitor,
        starter,
        orders,
        seed: settings.seed,
        timing: settings.timing,
        extraEnv,
        // One: at a steady 15-20/s a healthy run holds about one saga in flight at a time (a saga
        // ends in ~50 ms since issue 13), so a wait for more could outlast the whole load.
        inFlightAtFault: 1,
        note,
      });
    }
    const started = await starter.done;
    if (started.failedRequests > 0) {
      note(`start requests that failed, by reason: ${JSON.stringify(started.failures)}`);
    }
    const faultEnd = fault?.endedAt ?? runStart;
    const settledBy = Math.max(Date.now(), faultEnd) + settings.settleMs;
    const allEnded = await monitor
      .waitFor(
        'every started saga to end',
        (s) => s.running === 0 && s.missing === orders.length - started.started.size,
        Math.max(0, settledBy - Date.now()),
      )
      .then(() => true)
      .catch((error: Error) => {
        if (!error.message.startsWith('timed out')) throw error;
        return false;
      });
    const endedAt = Date.now();
    monitor.stop();
    if (!allEnded)
      note(`not every saga ended within ${settings.settleMs / 1000}s of the fault's end`);
    await fault?.finish?.();
    // The verdict reads the participants' state once nothing moves any more.
    const stopping = Date.now();
    await cluster.stop();
    note(
      `every saga ended ${(endedAt - runStart) / 1000}s into the run; stopped in ${(Date.now() - stopping) / 1000}s`,
    );
    // A start the harness gave up on may still have created its saga (the answer was lost):
    // that saga ran, so its effects are judged with the others'.
    const unanswered = orders.filter((o) => !started.started.has(o.sagaId));
    const createdAnyway = new Set(
      (await store.loadMany(unanswered.map((o) => o.sagaId))).flatMap((r) => (r ? [r.id] : [])),
    );
    if (createdAnyway.size > 0) {
      note(`${createdAnyway.size} sagas exist whose start the harness gave up on`);
    }
    const findings = await checkEffects(
      store,
      participantsRedis,
      cluster.participantsKeyPrefix,
      orders.filter((o) => started.started.has(o.sagaId) || createdAnyway.has(o.sagaId)),
    );
    const backlog = await store.outboxBacklog();
    const recovery = fault ? monitor.firstEndAfter(fault.endedAt) : undefined;
    const runningAtFaultEnd = fault ? (monitor.sampleAt(fault.endedAt)?.running ?? 1) > 0 : false;
    return {
      name: scenario.name,
      fault: scenario.fault,
      sagas: orders.length,
      started: started.started.size,
      notStarted: started.notStarted.length,
      byStatus: findings.byStatus,
      lost: findings.missing.length,
      doubleEffects: findings.doubleEffects.length,
      stuck: findings.running.length,
      recoverySeconds:
        fault === undefined
          ? null
          : recovery
            ? round((recovery.at - fault.endedAt) / 1000)
            : runningAtFaultEnd
              ? null
              : 0,
      outageSeconds: fault?.outageSeconds === undefined ? null : round(fault.outageSeconds),
      longestStallSeconds: round(monitor.longestStall() / 1000),
      runSeconds: round((endedAt - runStart) / 1000),
      failedStartRequests: started.failedRequests,
      outboxLeft: backlog,
      evidence: fault?.evidence() ?? {},
      notes,
      problems: [
        ...findings.missing.map((id) => `started but unknown to the store: ${id}`),
        ...findings.running.map((id) => `still running: ${id}`),
        ...findings.doubleEffects,
        ...(backlog > 0 ? [`${backlog} messages left in the outbox`] : []),
      ].slice(0, 20),
      seconds: round((Date.now() - began) / 1000),
    };
  } finally {
    starter?.cancel();
    monitor?.stop();
    await cluster?.stop();
    // The broker recovers every partition it holds after a kill -9: a later scenario's outage
    // must not grow with the topics of the ones before it.
    // (The cluster topology is removed after its scenario: its keys go with it.)
    const admin = kafka.admin();
    await admin
      .connect()
      .then(async () => {
        if (storeRedis.isCluster || participantsRedis.isCluster) return;
        await removeSession(admin, storeRedis as Redis, prefix);
        await deleteKeys(participantsRedis as Redis, `${prefix}:*`);
      })
      .catch(() => undefined)
      .finally(() => admin.disconnect());
    storeRedis.disconnect();
    participantsRedis.disconnect();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
