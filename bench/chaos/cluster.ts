/**
 * One scenario's processes: orchestrator processes (`orchestrator/main.ts`) and one process per
 * example participant (`participants/main.ts`), each a real child the scenario may SIGKILL,
 * SIGSTOP or restart. Everything runs under the scenario's own topic and key prefix. The scale
 * bench (bench/scale) starts the same processes on the cluster topology.
 */
import {
  spawnOrchestrator,
  spawnParticipant,
  STORE_SHARDS,
  type OrchestratorProcess,
} from '../../test/e2e/support/orchestrator-process.js';
import type { ChaosInfra } from './chaos-infra.js';
import { freePort } from '../../test/support/free-port.js';

export const PARTICIPANTS = ['inventory', 'payment', 'shipping'] as const;
export type ParticipantName = (typeof PARTICIPANTS)[number];

/** Where the processes connect: KAFKA_BROKERS and REDIS_URL or REDIS_CLUSTER_NODES each. */
export interface ClusterConnection {
  orchestrators: Readonly<Record<string, string>>;
  participants: Readonly<Record<string, string>>;
}

/** The fault suite's infrastructure (single: one broker, two Redis; or the cluster topology). */
export function chaosConnection(infra: ChaosInfra): ClusterConnection {
  return {
    orchestrators: { KAFKA_BROKERS: infra.brokers, ...infra.storeRedisEnv },
    participants: { KAFKA_BROKERS: infra.brokers, ...infra.participantsRedisEnv },
  };
}

export interface ClusterOptions {
  connection: ClusterConnection;
  /** Topic prefix and store key prefix of the scenario. */
  prefix: string;
  orchestrators: number;
  /** Set for every process on top of what the cluster sets (empty: the shipped defaults). */
  extraEnv: Readonly<Record<string, string>>;
}

export interface Cluster {
  readonly prefix: string;
  /** Key prefix of the participants' state in their Redis. */
  readonly participantsKeyPrefix: string;
  /** The orchestrators' HTTP ports, one per slot (a restarted slot keeps its port). */
  readonly httpPorts: readonly number[];
  /** The process in each orchestrator slot now. */
  orchestrator(slot: number): OrchestratorProcess;
  participant(name: ParticipantName): OrchestratorProcess;
  /** SIGKILLs a process of the cluster as a fault: its exit is expected, not a failure. */
  sigkill(process: OrchestratorProcess): Promise<void>;
  /** Starts a new process in the slot (the old one must have exited) and waits until ready. */
  restartOrchestrator(slot: number): Promise<void>;
  restartParticipant(name: ParticipantName): Promise<void>;
  /**
   * Restarts a slot as Kubernetes rolls a Deployment: SIGTERM (the process stops gracefully),
   * then a new process, with `env` on top of the cluster's from now on (a changed setting rolled
   * out); resolves once the new one is ready.
   */
  rollOrchestrator(slot: number, env?: Readonly<Record<string, string>>): Promise<void>;
  rollParticipant(name: ParticipantName, env?: Readonly<Record<string, string>>): Promise<void>;
  /** Throws when a process exited that no fault killed (its log in the message). */
  assertRunning(): void;
  /** Stops every process (SIGTERM, SIGKILL after 20 s) and waits for them; also after a failure. */
  stop(): Promise<void>;
}

/** Clusters not stopped yet, for an interrupted run to stop them on its way out. */
const liveClusters = new Set<Cluster>();

/** Stops every cluster still running (Ctrl-C or SIGTERM of the harness). */
export async function stopAllClusters(): Promise<void> {
  await Promise.all([...liveClusters].map((cluster) => cluster.stop()));
}

/**
 * Starts the orchestrators first (they create the topics; the participants would too, racing
 * them with logged errors), then the participants; resolves once every process is ready.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { connection, prefix, extraEnv } = options;
  const participantsKeyPrefix = `${prefix}:shop`;
  const httpPorts: number[] = [];
  for (let i = 0; i < options.orchestrators; i++) httpPorts.push(await freePort());
  /** Settings rolled out since the start (`rollOrchestrator`, `rollParticipant`). */
  let rolledEnv: Readonly<Record<string, string>> = {};
  const orchestratorEnv = (port: number) => ({
    ...connection.orchestrators,
    SAGA_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: prefix,
    SAGA_STORE_SHARDS: String(STORE_SHARDS),
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    ...extraEnv,
    ...rolledEnv,
  });
  const participantEnv = () => ({
    ...connection.participants,
    SAGA_TOPIC_PREFIX: prefix,
    PARTICIPANT_KEY_PREFIX: participantsKeyPrefix,
    LOG_LEVEL: 'warn',
    ...extraEnv,
    ...rolledEnv,
  });
  const orchestrators: OrchestratorProcess[] = [];
  const participants = new Map<ParticipantName, OrchestratorProcess>();
  /** Processes a fault killed on purpose: their exit is no failure. */
  const killedOnPurpose = new Set<OrchestratorProcess>();
  const all = () => [...orchestrators, ...participants.values()];

  const cluster: Cluster = {
    prefix,
    participantsKeyPrefix,
    httpPorts,
    orchestrator: (slot) => orchestrators[slot] as OrchestratorProcess,
    participant: (name) => participants.get(name) as OrchestratorProcess,
    async sigkill(process) {
      killedOnPurpose.add(process);
      process.kill('SIGKILL');
      await process.exited;
    },
    async restartOrchestrator(slot) {
      const old = orchestrators[slot];
      if (old) {
        killedOnPurpose.add(old);
        await old.exited;
      }
      const next = spawnOrchestrator(orchestratorEnv(httpPorts[slot] as number));
      orchestrators[slot] = next;
      await next.ready;
    },
    async restartParticipant(name) {
      const old = participants.get(name);
      if (old) {
        killedOnPurpose.add(old);
        await old.exited;
      }
      const next = spawnParticipant(name, participantEnv());
      participants.set(name, next);
      await next.ready;
    },
    async rollOrchestrator(slot, env = {}) {
      const old = orchestrators[slot];
      rolledEnv = { ...rolledEnv, ...env };
      if (old) {
        killedOnPurpose.add(old);
        old.kill('SIGTERM');
      }
      await cluster.restartOrchestrator(slot);
    },
    async rollParticipant(name, env = {}) {
      const old = participants.get(name);
      rolledEnv = { ...rolledEnv, ...env };
      if (old) {
        killedOnPurpose.add(old);
        old.kill('SIGTERM');
      }
      await cluster.restartParticipant(name);
    },
    assertRunning() {
      for (const p of all()) if (!killedOnPurpose.has(p)) p.assertRunning();
    },
    async stop() {
      // SIGTERM first: an orchestrator that stops gracefully publishes what its outbox holds,
      // so a backlog left afterwards is a finding, not an artefact of the harness' SIGKILL.
      const processes = all();
      for (const p of processes) {
        p.kill('SIGCONT');
        p.kill('SIGTERM');
      }
      const graceful = Promise.all(processes.map((p) => p.exited));
      const bound = new Promise((resolve) => setTimeout(resolve, 20_000).unref());
      await Promise.race([graceful, bound]);
      for (const p of processes) p.kill('SIGKILL');
      await graceful;
      liveClusters.delete(cluster);
    },
  };
  liveClusters.add(cluster);
  try {
    for (let slot = 0; slot < options.orchestrators; slot++) {
      orchestrators[slot] = spawnOrchestrator(orchestratorEnv(httpPorts[slot] as number));
    }
    await Promise.all(orchestrators.map((p) => p.ready));
    for (const name of PARTICIPANTS) {
      participants.set(name, spawnParticipant(name, participantEnv()));
    }
    await Promise.all([...participants.values()].map((p) => p.ready));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
